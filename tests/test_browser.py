"""The HTML report in a real browser: headless Chromium, network disabled.

Chromium is Debian's ``chromium`` (/usr/bin/chromium), driven with the ``playwright`` Python
package (never ``playwright install``: no browser download). When chromium is missing the
set-up installs it with apt-get (as root); the tests skip, saying why, only when no chromium
can be found or installed, or when ``playwright`` is not installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.report_run import XSS_TITLE, make_run

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
INSTALL = "command -v chromium || (apt-get update && apt-get install -y chromium)"


def _chromium() -> str | None:
    found = shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    if found is None and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["bash", "-c", INSTALL], capture_output=True, timeout=900,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})  # fmt: skip
        found = shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    return found


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright; no browser download needed)"
    )
    exe = _chromium()
    if exe is None:
        pytest.skip(f"no chromium found and it could not be installed ({INSTALL})")
    user_data = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(user_data), executable_path=exe, headless=True, args=FLAGS, offline=True,
        )  # fmt: skip
        yield ctx
        ctx.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from toolkit.report import build_report

    return build_report(make_run(tmp_path_factory.mktemp("browser")))


def _open(browser, path):
    page = browser.new_page()
    events = {"errors": [], "requests": []}
    page.on("console", lambda m: m.type == "error" and events["errors"].append(m.text))
    page.on("pageerror", lambda e: events["errors"].append(str(e)))

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            events["requests"].append(url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    return page, events


@pytest.mark.slow
def test_report_renders_offline(browser, report):
    page, events = _open(browser, report)
    page.wait_for_selector(".ldavis-container svg", timeout=20_000)
    assert page.locator("#topic-table tbody tr").count() == 3
    assert page.locator(".ldavis-container svg").count() >= 1
    assert page.locator(".ldavis-container svg circle").count() >= 3  # one circle per topic
    assert page.locator("#seed-mixture").count() == 1
    page.wait_for_timeout(300)
    assert events["errors"] == []
    assert events["requests"] == []
    page.close()


@pytest.mark.slow
def test_markup_from_the_corpus_runs_nothing(browser, report):
    page, events = _open(browser, report)
    page.wait_for_selector(".ldavis-container svg", timeout=20_000)
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.title().startswith("Topic report")
    assert page.evaluate("document.querySelectorAll('img[onerror]').length") == 0
    # the hostile title is shown as text
    assert XSS_TITLE in page.text_content("body")
    hrefs = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'))")
    assert not any(h.lower().startswith("javascript:") for h in hrefs)
    assert events["errors"] == []
    page.close()


@pytest.mark.slow
def test_report_dom_after_scripts_ran(report, tmp_path):
    """Same checks without playwright: Chromium's --dump-dom gives the DOM after the scripts
    ran, and --enable-logging prints console messages (a blocked request logs a CSP error)."""
    import re

    exe = _chromium()
    if exe is None:
        pytest.skip(f"no chromium found and it could not be installed ({INSTALL})")
    proc = subprocess.run(
        [exe, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=10000", "--dump-dom", report.as_uri()],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    dom = proc.stdout
    assert re.search(r'id="ldavis-vis" class="ldavis-container"[^>]*>.*?<svg', dom, re.S)
    assert dom.count("<tr data-topic=") == 3
    assert re.search(r"<title>Topic report", dom)  # the injected script would have renamed it
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line]
    bad = [line for line in console if re.search(r"ERROR:CONSOLE|Uncaught|Refused|net::ERR", line)]
    assert bad == []


@pytest.fixture(scope="module")
def research_report(tmp_path_factory):
    """The synthetic run with intrusion answers (two simulated coders) and a curation file."""
    from toolkit.report import build_report
    from toolkit.topics.intrusion import make_tasks, simulate_answers

    run = make_run(tmp_path_factory.mktemp("browser-research"))
    tasks = make_tasks(run, "word", n=3, seed=1)
    simulate_answers(tasks, run, "coder-a", accuracy=1.0, seed=1)
    simulate_answers(tasks, run, "coder-b", accuracy=0.5, seed=2)
    (run / "curation.toml").write_text('[labels]\n0 = "Commerce (curated)"\n', encoding="utf-8")
    return build_report(run)


@pytest.mark.slow
def test_research_sections_render(browser, research_report):
    page, events = _open(browser, research_report)
    page.wait_for_selector(".ldavis-container svg", timeout=20_000)
    for anchor in ("#effects", "#effects-table", "#contrasts-table", "#correlations", "#correlation-plot",
                   "#validation", "#curation-note"):  # fmt: skip
        assert page.locator(anchor).count() == 1, anchor
    # every chart is a PNG the browser decoded (not a broken image)
    widths = page.evaluate("Array.from(document.querySelectorAll('img.effects-plot, #correlation-plot'))"
                           ".map(i => i.naturalWidth)")  # fmt: skip
    assert len(widths) >= 3 and min(widths) > 100
    assert page.locator("#effects-table tbody tr").count() == 3 * (4 + 2)  # 3 topics x (4 months + 2 sources)
    assert "Krippendorff" in page.text_content("#validation-scores")
    assert page.locator("#validation-scores table tbody tr").count() == 3  # one row per tested topic
    assert "Commerce (curated)" in page.text_content("#topic-table")
    assert page.locator("#topic-table td.frex").count() == 3
    assert events["errors"] == [] and events["requests"] == []
    page.close()
