"""Reading a brief: the gazetteer's tricky cases and the partner-type table."""

import pytest

from matcher.reading import Gazetteer, default_gazetteer, read_brief


@pytest.mark.parametrize("brief, regions", [
    ("help getting adopted by health boards in Wales", ("Wales",)),
    ("GMP facility in Newport, South Wales", ("Wales",)),
    ("a packaging line in Newport", ("Wales",)),  # the bigger Newport, without a qualifier
    ("Newport on the Isle of Wight", ("South East",)),
    ("Newport, Isle of Wight", ("South East",)),
    ("partners in the North of England", ("North East", "North West", "Yorkshire and The Humber")),
    # a longer name that starts inside a shorter one wins: not "the North", "East of England"
    ("a lab in the North East", ("North East",)),
    ("clinical partners in the North West", ("North West",)),
    ("trials across the North East of England", ("North East",)),
    ("a site in the north-east", ("North East",)),
    ("a CDMO in Stockton-on-Tees", ("North East",)),
    ("North East Lincolnshire ports", ("Yorkshire and The Humber",)),
    ("a partner in the West of England", ("South West",)),  # Bristol and Bath, not England
    ("an Aberdeen-area site in North East Scotland", ("Scotland",)),
    ("a plant in North East Wales", ("Wales",)),
    ("a site in the Midlands", ("East Midlands", "West Midlands")),
    ("South Wales or the South West", ("Wales", "South West")),
    ("lab space near Dundee", ("Scotland",)),
    ("Greater Manchester trusts", ("North West",)),
    ("anywhere on the Oxford–Cambridge arc", ("South East", "East of England")),
    ("the Oxford-Cambridge arc", ("South East", "East of England")),
    ("Birmingham-based diagnostics firm", ("West Midlands",)),
    ("cro north wales", ("Wales",)),  # terse rows are often lower case
    ("Richmond, North Yorkshire", ("Yorkshire and The Humber",)),
    ("an office in Reading", ("South East",)),
    ("a hospital in Belfast", ("Northern Ireland",)),
])
def test_places_map_to_itl1_regions(brief, regions):
    assert read_brief(brief).regions == regions


@pytest.mark.parametrize("brief", [
    "a start-up from New England",
    "a biotech in Cambridge, Massachusetts",
    "a US company based in Boston wants a UK partner",
    "Reading the literature, we need liver organoids",  # a verb, not the town
    "a March deadline for the grant",
    "a deal with a CDMO",
    "anywhere in the UK",
    "Boston, MA based start-up",
])
def test_names_that_are_not_uk_place_requests(brief):
    assert read_brief(brief).regions == ()


def test_outside_london_is_an_exclusion_not_a_request():
    reading = read_brief("a manufacturing site outside London")
    assert reading.regions == () and reading.excluded_regions == ("London",)
    assert "not London" in reading.describe()


def test_place_abroad_is_reported_but_an_origin_is_not():
    assert read_brief("a clinical site in Bavaria").foreign == ("Bavaria",)
    assert read_brief("a US medtech company wants NHS partners").foreign == ()


@pytest.mark.parametrize("brief, types", [
    ("introductions to the regional network and a front door", ("cluster",)),
    ("NHS trusts and health boards for an evaluation", ("nhs",)),
    ("an academic partner at a university", ("academic",)),
    ("a CDMO with manufacturing capacity", ("industry",)),
    ("lab space on a science park or incubator", ("science-park",)),
    ("organoid models of liver fibrosis", ()),
])
def test_partner_types(brief, types):
    assert read_brief(brief).partner_types == types


def test_reading_describes_itself_for_people():
    reading = read_brief("A US medtech start-up wants help getting its sensor adopted by health "
                         "boards in Wales and a university partner")
    assert reading.describe() == "place Wales; partners: network or cluster, NHS, academic"
    assert read_brief("organoids").describe() == ""


def test_shipped_gazetteer_covers_nations_regions_counties_and_towns():
    gazetteer = default_gazetteer()
    kinds = {entry.kind for entry in gazetteer.entries.values()}
    assert {"nation", "region", "county", "city", "town", "phrase"} <= kinds
    assert len(gazetteer.entries) >= 1500
    for name, region in (("Cardiff", "Wales"), ("Aberdeenshire", "Scotland"), ("Kent", "South East"),
                         ("Tower Hamlets", "London"), ("Stoke-on-Trent", "West Midlands"),
                         ("Lincolnshire", "East Midlands"), ("Hull", "Yorkshire and The Humber")):
        assert gazetteer.entries[name].regions == (region,), name


def test_gazetteer_file_with_a_custom_place(tmp_path):
    path = tmp_path / "g.tsv"
    path.write_text("name\tregions\tkind\tambiguous\nSilicon Glen\tScotland\tphrase\t\n", encoding="utf-8")
    assert read_brief("a chip partner in Silicon Glen", Gazetteer.load(path)).regions == ("Scotland",)


def test_a_read_place_or_partner_type_can_be_set_aside_alone():
    reading = read_brief("NHS trusts in Wales, or a clinical site in Bavaria")
    assert reading.regions == ("Wales",) and reading.partner_types == ("nhs",)
    assert reading.foreign == ("Bavaria",)
    without_place = reading.without(["wales"])  # as the Read-as line names it, any case
    assert without_place.regions == () and without_place.partner_types == ("nhs",)
    assert reading.without(["nhs"]).partner_types == () and reading.without(["nhs"]).regions
    assert reading.without(["Bavaria"]).foreign == ()
    assert reading.without([]) is reading
