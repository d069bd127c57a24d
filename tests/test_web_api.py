"""The web app through FastAPI's TestClient: every endpoint, every error, escaping, exports,
and the feedback store with its export to an evaluation set."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import zipfile
from dataclasses import replace

import pytest
from helpers import run

fastapi = pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from matcher.errors import IndexNotFoundError  # noqa: E402
from matcher.feedback import FeedbackStore, brief_sha256, query_id  # noqa: E402
from matcher.filters import Filters  # noqa: E402
from matcher.web.app import create_app  # noqa: E402
from matcher.web.engine import Engine  # noqa: E402

VECTOR_BRIEF = "GMP viral vector manufacturing near Darlington for a gene therapy trial"
NASTY = '<script>alert("x")</script> O\'Brien "quoted" {{ 7*7 }}'


# ---------------------------------------------------------------- the feedback store (fast)


def test_store_keeps_hashes_and_exports_latest_grade(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite")
    first = store.record("  organoid   models ", "lab-a", "useful", "corpus1")
    assert first.brief_sha256 == brief_sha256("organoid models")  # whitespace does not count
    assert first.corpus_sha256 == "corpus1" and first.created_at.endswith("+00:00")
    store.record("organoid models", "lab-a", "contacted", "corpus1", note="called them")
    store.record("organoid models", "lab-b", "not_useful", "corpus2")
    store.record("cell therapy site", "lab-b", "useful", "corpus2")
    report = store.export(tmp_path / "q.jsonl", tmp_path / "qrels.txt")
    assert (report.queries, report.judgements) == (2, 3)
    qid = query_id(first.brief_sha256)
    assert f"{qid} 0 lab-a 3" in (tmp_path / "qrels.txt").read_text().splitlines()  # latest wins
    assert f"{qid} 0 lab-b 0" in (tmp_path / "qrels.txt").read_text().splitlines()
    queries = [json.loads(line) for line in (tmp_path / "q.jsonl").read_text().splitlines()]
    assert queries[0]["text"] == "organoid models" and queries[0]["split"] == "test"
    only = store.export(tmp_path / "q1.jsonl", tmp_path / "r1.txt", corpus_sha256="corpus1")
    assert (only.queries, only.judgements) == (1, 1)


def test_store_refuses_bad_judgements(tmp_path):
    from matcher.feedback import FeedbackError

    store = FeedbackStore(tmp_path / "fb.sqlite")
    for args in (("b", "x", "great"), ("  ", "x", "useful"), ("b", "two words", "useful")):
        with pytest.raises(FeedbackError):
            store.record(*args, corpus_sha256="c")


def test_requests_get_503_while_the_index_loads(mini_dir, tmp_path):
    """No model needed: the loader blocks until the test lets it fail."""
    release = threading.Event()

    def load():
        release.wait(10)
        raise IndexNotFoundError("no index at /nowhere")

    app = create_app(engine=Engine(loader=load), feedback_path=tmp_path / "fb.sqlite")
    with TestClient(app) as client:
        health = client.get("/health")
        assert health.status_code == 503 and health.json()["status"] == "loading"
        response = client.post("/match", json={"brief": "anything"})
        assert response.status_code == 503 and response.headers["retry-after"] == "5"
        assert "still loading" in response.json()["detail"]
        page = client.get("/")
        assert page.status_code == 503 and 'http-equiv="refresh"' in page.text
        release.set()
        app.state.engine.wait(10)
        failed = client.get("/health").json()
        assert failed["status"] == "failed" and "no index at /nowhere" in failed["error"]
        assert "failed to load" in client.get("/entities/x").json()["detail"]


# ---------------------------------------------------------------- with the mini index (slow)

slow = pytest.mark.slow


@pytest.fixture(scope="module")
def feedback_path(tmp_path_factory):
    return tmp_path_factory.mktemp("feedback") / "feedback.sqlite"


@pytest.fixture(scope="module")
def client(mini_matcher, feedback_path):
    with TestClient(create_app(matcher=mini_matcher, feedback_path=feedback_path)) as c:
        yield c


@slow
def test_health(client):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["model"]["id"] == "all-MiniLM-L6-v2"
    assert body["index"]["entity_count"] == 6 and body["index"]["corpus_sha256"]
    assert body["uptime_s"] >= 0


@slow
def test_match_returns_the_library_ranking(client, mini_matcher):
    response = client.post("/match", json={"brief": VECTOR_BRIEF, "k": 4})
    assert response.status_code == 200
    body = response.json()
    expected = mini_matcher.match(VECTOR_BRIEF, k=4).to_dict()
    assert [m["entity_id"] for m in body["matches"]] == [m["entity_id"] for m in expected["matches"]]
    assert body["matches"][0]["entity_id"] == "test-vector-works"
    assert body["reading"]["places"][0]["text"] == "Darlington"
    assert body["regions"][0]["region"] == "North East"
    assert body["verdict"] == expected["verdict"] and body["corpus_sha256"]
    evidence = body["matches"][0]["evidence"][0]
    assert {"text", "field", "dense", "lexical", "answers", "shared_terms"} <= set(evidence)
    assert evidence["shared_terms"] == []  # explain off


@slow
def test_match_filters_and_explain(client):
    body = client.post("/match", json={"brief": "organoids and wound dressings", "k": 10,
                                       "regions": ["Wales"], "kind": "organisation",
                                       "explain": True, "infer": False}).json()
    assert body["matches"] and all(m["regions"] == ["Wales"] and m["kind"] == "organisation"
                                   for m in body["matches"])
    assert any(e["shared_terms"] for m in body["matches"] for e in m["evidence"])
    assert body["reading"]["places"] == []
    excluded = client.post("/match", json={"brief": "viral vectors", "exclude": ["test-vector-works"]})
    assert "test-vector-works" not in [m["entity_id"] for m in excluded.json()["matches"]]


@slow
@pytest.mark.parametrize("payload, needle", [
    ({"brief": ""}, "brief"),
    ({"brief": "   "}, "the brief is empty"),
    ({"brief": "x" * 20_001}, "brief"),
    ({"brief": "x", "k": 0}, "k"),
    ({"brief": "x", "k": "many"}, "k"),
    ({"brief": "x", "regions": ["Mars"]}, "unknown region 'Mars'"),
    ({"brief": "x", "exclude": ["no-such-id"]}, "no entity with id no-such-id"),
    ({"brief": "x", "colour": "blue"}, "colour"),
    ({}, "brief: Field required"),
])
def test_match_bad_input_is_422_with_a_message(client, payload, needle):
    response = client.post("/match", json=payload)
    assert response.status_code == 422
    assert needle in response.json()["detail"]


@slow
def test_match_not_json_and_oversize(client):
    broken = client.post("/match", content=b"{not json", headers={"content-type": "application/json"})
    assert broken.status_code == 422 and "JSON" in broken.json()["detail"]
    huge = client.post("/match", content=b"{" + b" " * 300_000 + b"}",
                       headers={"content-type": "application/json"})
    assert huge.status_code == 413 and "size limit" in huge.json()["detail"]


@slow
def test_entity_profile_and_404(client):
    body = client.get("/entities/test-vector-works").json()
    assert body["name"] == "Test Vector Works" and body["city"] == "Darlington"
    assert body["member_of"] == [{"id": "test-north-cluster", "name": "Test North Health Cluster"}]
    assert body["capabilities"][0]["text"].startswith("GMP viral vector")
    assert body["sources"] == [{"url": "https://example.org/vector", "date": "", "read": ""}]
    cluster = client.get("/entities/test-north-cluster").json()
    assert {m["id"] for m in cluster["members"]} == {"test-vector-works", "test-teaching-hospital"}
    missing = client.get("/entities/no-such-entity")
    assert missing.status_code == 404 and "no-such-entity" in missing.json()["detail"]
    assert client.get("/entity/no-such-entity").status_code == 404  # the HTML page too


def _unzip(response) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def _xlsx(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROWS = [("ref", "text"), ("a1", "viral vector manufacturing"), ("a2", ""),
        ("a1", "duplicate id"), ("a3", "liver organoids")]


@slow
@pytest.mark.parametrize("name, data", [
    ("list.csv", "\n".join(",".join(r) for r in ROWS).encode() + b"\n\"broken,quote\n"),
    ("list.jsonl", "\n".join(json.dumps(dict(zip(ROWS[0], r, strict=True))) for r in ROWS[1:])
     .encode() + b"\n{not json\n"),
    ("list.xlsx", _xlsx(ROWS)),
])
def test_batch_puts_every_row_in_results_or_rejects(client, name, data):
    response = client.post("/batch", files={"file": (name, data)},
                           data={"id_column": "ref", "k": "2"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    files = _unzip(response)
    summary = json.loads(files["summary.json"])
    results = list(csv.DictReader(io.StringIO(files["results.csv"])))
    rejects = list(csv.DictReader(io.StringIO(files["rejects.csv"])))
    scored_ids = {r["enquiry_id"] for r in results}
    assert scored_ids == {"a1", "a3"} and len(results) == 4  # two enquiries x k=2
    assert summary["read"] == summary["scored"] + summary["rejected"]
    assert summary["scored"] == 2 and summary["rejected"] == len(rejects) >= 2
    assert any("empty text" in r["reason"] for r in rejects)
    assert any("duplicate id" in r["reason"] for r in rejects)
    assert response.headers["x-matcher-read"] == str(summary["read"])


@slow
def test_batch_errors(client):
    no_column = client.post("/batch", files={"file": ("x.csv", b"name,body\na,b\n")})
    assert no_column.status_code == 422 and "no 'text' column" in no_column.json()["detail"]
    bad_filter = client.post("/batch", files={"file": ("x.csv", b"text\nabc\n")},
                             data={"region": "Mars"})
    assert bad_filter.status_code == 422
    missing = client.post("/batch", data={"k": "2"})
    assert missing.status_code == 422 and "file" in missing.json()["detail"]
    from matcher.web.batch import MAX_UPLOAD_BYTES

    big = b"text\n" + b"a" * (MAX_UPLOAD_BYTES + 10)
    over = client.post("/batch", files={"file": ("big.csv", big)})
    assert over.status_code == 413 and "limit" in over.json()["detail"]


@slow
def test_feedback_is_stored_with_hashes(client, mini_matcher, feedback_path):
    response = client.post("/feedback", json={"brief": VECTOR_BRIEF, "entity_id": "test-vector-works",
                                              "judgement": "useful", "note": "good fit"})
    assert response.status_code == 201
    body = response.json()
    assert body["brief_sha256"] == brief_sha256(VECTOR_BRIEF) and body["grade"] == 2
    assert body["corpus_sha256"] == mini_matcher.manifest["corpus_sha256"]
    stored = FeedbackStore(feedback_path).judgements()[-1]
    assert (stored.entity_id, stored.judgement, stored.note) == ("test-vector-works", "useful",
                                                                 "good fit")


@slow
@pytest.mark.parametrize("headers, status", [
    ({"origin": "http://evil.example"}, 403),
    ({"origin": "null"}, 403),
    ({"sec-fetch-site": "cross-site"}, 403),
    ({"origin": "http://testserver", "sec-fetch-site": "same-origin"}, 201),
    ({"content-type": "text/plain"}, 415),
])
def test_feedback_accepts_same_origin_only(client, headers, status):
    body = json.dumps({"brief": "b", "entity_id": "test-organoid-lab", "judgement": "not_useful"})
    sent = {"content-type": "application/json", **headers}
    assert client.post("/feedback", content=body, headers=sent).status_code == status


@slow
def test_feedback_bad_input(client):
    unknown = client.post("/feedback", json={"brief": "b", "entity_id": "nope", "judgement": "useful"})
    assert unknown.status_code == 404
    wrong = client.post("/feedback", json={"brief": "b", "entity_id": "test-organoid-lab",
                                           "judgement": "brilliant"})
    assert wrong.status_code == 422 and "judgement" in wrong.json()["detail"]


@slow
def test_feedback_export_feeds_matcher_eval(client, mini_index, tmp_path):
    db = tmp_path / "fb.sqlite"
    app = create_app(index_dir=mini_index, feedback_path=db)
    with TestClient(app) as own:
        app.state.engine.wait(60)
        for entity_id, judgement in (("test-vector-works", "contacted"),
                                     ("test-dressings-co", "not_useful")):
            assert own.post("/feedback", json={"brief": VECTOR_BRIEF, "entity_id": entity_id,
                                               "judgement": judgement}).status_code == 201
    queries, qrels = tmp_path / "q.jsonl", tmp_path / "qrels.txt"
    exported = run("feedback", "export", "--db", db, "--queries", queries, "--qrels", qrels)
    assert exported.exit_code == 0 and "wrote 1 queries" in exported.stderr
    assert qrels.read_text().split("\n")[0].endswith("test-vector-works 3")
    scored = run("eval", "--queries", queries, "--qrels", qrels, "--index", mini_index,
                 "--config", "default", "--format", "json")
    assert scored.exit_code == 0, scored.stderr
    metrics = json.loads(scored.stdout)["yours"]["metrics"]
    assert next(iter(metrics.values()))["all"]["nDCG@10"] > 0.5


# ---------------------------------------------------------------- the page


def _scripts(html: str) -> list[str]:
    return re.findall(r"<script[^>]*>", html)


@slow
def test_page_works_without_javascript(client):
    page = client.get("/", params={"brief": VECTOR_BRIEF})
    assert page.status_code == 200
    html = page.text
    assert "Read as" in html and "Darlington" in html
    first = re.search(r'data-region="([^"]+)" data-rank="1"', html)
    assert first and first.group(1) == "North East"
    assert len(re.findall(r'class="tile shade-\d"', html)) == 12
    assert "Test North Health Cluster" in html and 'data-entity="test-vector-works"' in html
    assert "region=North+East" in html  # a tile links to the search filtered to its region
    assert all(" src=" in s for s in _scripts(html))  # no inline script
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"


@slow
def test_page_says_no_good_match(client, mini_matcher):
    brief = "lithium battery cell chemistry for electric cars"
    assert mini_matcher.match(brief).no_good_match
    assert "No good match" in client.get("/", params={"brief": brief}).text
    assert "No good match" not in client.get("/", params={"brief": VECTOR_BRIEF}).text


@slow
def test_page_bad_filter_shows_the_message(client):
    page = client.get("/", params={"brief": "x", "region": "Mars"})
    assert page.status_code == 422 and "unknown region" in page.text


@slow
def test_each_read_chip_is_removable_on_its_own(client):
    brief = "GMP viral vector manufacturing with an NHS hospital partner in Wales"
    html = client.get("/", params={"brief": brief}).text
    chips = re.findall(r'<li class="chip[^"]*" data-kind="(\w+)">', html)
    assert chips.count("place") == 1 and chips.count("partner") >= 1
    removal = re.search(r'class="remove" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert "ignore=Wales" in removal and "infer=0" not in removal
    without = client.get(removal).text
    left = re.findall(r'<li class="chip[^"]*" data-kind="(\w+)">', without)
    assert "place" not in left and left.count("partner") == chips.count("partner")
    assert "set aside: Wales" in without and "restore" in without
    api = client.post("/match", json={"brief": brief, "ignore": ["Wales"]}).json()
    assert api["reading"]["regions"] == [] and api["reading"]["partner_types"]


@slow
def test_reading_off_link_and_filters_round_trip(client):
    html = client.get("/", params={"brief": VECTOR_BRIEF + " in Wales"}).text
    off_link = re.search(r'href="([^"]+)">Turn reading off', html).group(1).replace("&amp;", "&")
    assert "infer=0" in off_link
    off = client.get(off_link).text
    assert "Reading is off" in off and "Read the brief again" in off


@slow
def test_exports_and_permalink(client, mini_matcher):
    from matcher.output import render_csv

    params = {"brief": VECTOR_BRIEF, "k": "3", "kind": "organisation"}
    exported = client.get("/export.csv", params=params)
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    expected = mini_matcher.match_many([VECTOR_BRIEF], k=3, explain=True,
                                       filters=Filters(kind="organisation"))[0]
    assert exported.text.strip() == render_csv(expected)
    markdown = client.get("/export.md", params=params).text
    assert markdown.startswith("Brief: GMP") and "| 1 | Test Vector Works |" in markdown
    html = client.get("/", params=params).text
    link = re.search(r'id="permalink" type="text" readonly value="([^"]+)"', html).group(1)
    again = client.get(link.replace("&amp;", "&").replace("http://testserver", ""))
    assert again.text.count('class="match ') == html.count('class="match ') == 3
    assert client.get("/export.csv").status_code == 422


@pytest.fixture(scope="module")
def nasty_client(mini_matcher, tmp_path_factory):
    """The mini index with one entity's name, profile and passages full of markup."""
    from matcher.matcher import Matcher

    data = mini_matcher.data
    entities = [replace(e, name=f"{NASTY} Works", description=NASTY, url="javascript:alert(1)")
                if e.id == "test-vector-works" else e for e in data.entities]
    passages = [replace(p, text=f"{NASTY} {p.text}") if p.entity_id == "test-vector-works" else p
                for p in data.passages]
    nasty = Matcher(replace(data, entities=entities, passages=passages), mini_matcher.spec,
                    encoder=mini_matcher.encoder)
    app = create_app(matcher=nasty, feedback_path=tmp_path_factory.mktemp("n") / "fb.sqlite")
    with TestClient(app) as c:
        yield c


def _assert_escaped(html: str) -> None:
    assert '<script>alert("x")' not in html and "&lt;script&gt;" in html
    assert "{{ 7*7 }}" in html  # shown as written, not evaluated as a template
    assert "O&#39;Brien" in html and "&#34;quoted&#34;" in html
    assert "javascript:" not in html


@slow
def test_page_escapes_briefs_and_corpus_text(nasty_client):
    page = nasty_client.get("/", params={"brief": f"{NASTY} viral vector manufacturing"})
    assert page.status_code == 200
    _assert_escaped(page.text)
    assert 'data-brief="&lt;script&gt;' in page.text  # attributes too
    entity = nasty_client.get("/entity/test-vector-works")
    _assert_escaped(entity.text)
    assert nasty_client.get("/entities/test-vector-works").json()["name"].startswith("<script>")


@slow
def test_docs_are_served_offline(client):
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/docs-static/swagger-ui-bundle.js" in docs.text
    assert "cdn" not in docs.text.lower() and "'sha256-" in docs.headers["content-security-policy"]
    assert client.get("/docs-static/swagger-ui-bundle.js").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/match", "/entities/{entity_id}", "/batch", "/feedback", "/health"} <= set(paths)


@slow
def test_only_loopback_host_names_when_bound_to_loopback(mini_matcher, tmp_path):
    from matcher.web.security import allowed_hosts

    app = create_app(matcher=mini_matcher, feedback_path=tmp_path / "fb.sqlite",
                     allowed_hosts=allowed_hosts("127.0.0.1"))
    with TestClient(app, base_url="http://evil.example") as c:
        assert c.get("/health").status_code == 400  # DNS rebinding to 127.0.0.1 is refused
    with TestClient(app, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/health").status_code == 200
    assert allowed_hosts("0.0.0.0") is None


def test_serve_binds_to_loopback_by_default():
    result = run("serve", "--help")
    assert "127.0.0.1" in result.output and "--workers" in result.output
