"""End to end: `matcher serve` on a free loopback port, driven by headless Chromium.

Uses Debian's chromium (/usr/bin/chromium; .ci/run installs it), never a downloaded browser.
Screenshots go to test-artefacts/ at the top of the checkout.
"""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

from matcher.feedback import FeedbackStore  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARTEFACTS = Path(__file__).resolve().parent.parent / "test-artefacts"
BRIEF = "GMP viral vector manufacturing near Darlington for a gene therapy trial"

pytestmark = [
    pytest.mark.slow, pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium at /usr/bin"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(mini_index, tmp_path_factory):
    """`matcher serve` in its own process, as a user starts it; stopped after the tests."""
    db = tmp_path_factory.mktemp("browser") / "feedback.sqlite"
    port = _free_port()
    command = [sys.executable, "-m", "matcher", "serve", "--index", str(mini_index),
               "--port", str(port), "--feedback-db", str(db), "--log-level", "warning"]
    log = open(tmp_path_factory.mktemp("log") / "serve.log", "w+")  # noqa: SIM115
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log.seek(0)
            pytest.fail(f"matcher serve did not start:\n{log.read()}")
        time.sleep(0.3)
    yield base, db
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=["--no-sandbox"])  # CI runs as root
        yield chromium
        chromium.close()


def _watch(page) -> list[str]:
    """Console errors (a CSP violation shows up here) and failed requests."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    return problems


def test_search_read_as_map_feedback_and_export(server, browser):
    base, db = server
    ARTEFACTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    problems = _watch(page)
    page.goto(base + "/")
    page.get_by_label("Paste a brief").fill(BRIEF)
    # Keyboard alone: from the brief, Tab reaches the submit button; Enter submits.
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    else:
        pytest.fail("the submit button cannot be reached with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    chips = page.locator(".readas .chip")
    assert "Darlington" in chips.first.inner_text()
    first = page.locator('.ukmap .tile[data-rank="1"]')
    assert first.get_attribute("data-region") == "North East"
    assert page.locator(".ukmap .tile").count() == 12
    cluster = page.locator('.match[data-entity="test-north-cluster"]')
    assert "Test North Health Cluster" in cluster.inner_text()
    assert "Test Vector Works" in cluster.locator(".partners").inner_text()
    partner = page.locator('.match[data-entity="test-vector-works"]')
    evidence = partner.locator(".evidence li").first.inner_text()
    assert "viral vector" in evidence.lower()
    page.screenshot(path=str(ARTEFACTS / "web-results-laptop.png"), full_page=True)

    partner.get_by_role("button", name="Useful", exact=True).click()
    sync_api.expect(partner.locator(".fb-status")).to_contain_text("saved")
    stored = FeedbackStore(db).judgements()
    assert [(j.entity_id, j.judgement) for j in stored] == [("test-vector-works", "useful")]
    assert partner.get_by_role("button", name="Useful", exact=True).get_attribute("aria-pressed") == "true"

    with page.expect_download() as download:
        page.locator("#export-csv").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text("utf-8"))))
    assert download.value.suggested_filename == "shortlist.csv"
    assert rows[0]["entity_id"] and "test-vector-works" in {r["entity_id"] for r in rows}

    page.locator('.ukmap .tile[data-region="Wales"]').click()  # a region filters the search
    page.wait_for_load_state()
    assert "region=Wales" in page.url
    assert all("Wales" in m.inner_text() for m in page.locator(".match .meta").all())

    page.goto(base + "/entity/test-vector-works")
    assert "Sources" in page.inner_text("main")
    page.screenshot(path=str(ARTEFACTS / "web-entity.png"), full_page=True)
    assert problems == []
    context.close()


def test_phone_width_and_no_javascript(server, browser):
    base, _db = server
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/?brief={BRIEF.replace(' ', '+')}")
    assert "Darlington" in page.locator(".readas").inner_text()
    assert page.locator(".match").count() >= 3
    assert not page.locator(".feedback").first.is_visible()  # needs JavaScript, so hidden
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(ARTEFACTS / "web-results-phone.png"), full_page=True)
    context.close()
