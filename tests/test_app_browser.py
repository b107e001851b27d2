"""End to end in a real browser: Debian's Chromium driven by Playwright against the app on loopback.

Paste a feed served from loopback, pick an episode, transcribe, check the transcript and the download links,
click a line to play from it, and find a word with the search. A screenshot is kept in test-artifacts/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = REPO / "test-artifacts"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory):
    port = free_port()
    data = tmp_path_factory.mktemp("browser-app")
    log = open(data / "app.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "service", "--port", str(port), "--data-dir", str(data)],
        cwd=REPO,
        env=dict(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"the app exited: {(data / 'app.log').read_text()[-2000:]}")
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_podcast_to_subtitles_and_search_in_chromium(app_url: str, web) -> None:
    from playwright.sync_api import expect, sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed (bash scripts/install.sh --test installs it)")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 420, "height": 900})  # a phone-sized window
        page.goto(app_url)
        page.locator("#feed-url textarea, #feed-url input").first.fill(f"{web.url}/feed.xml")
        page.locator("#fetch-episodes").click()
        episodes = page.locator("#episodes")
        expect(episodes).to_contain_text("Avsnitt 2: Kattungen & tuban", timeout=30_000)
        expect(episodes).to_contain_text("Avsnitt 1: Äldre samtal")
        page.locator("#transcribe-feed").click()

        transcript = page.locator("#transcript")
        expect(transcript.locator("li[data-start]").first).to_be_visible(timeout=180_000)
        expect(transcript).to_contain_text("tuban", ignore_case=True)
        downloads = page.locator("#downloads")
        for extension in (".srt", ".vtt", ".txt", ".json"):
            expect(downloads.locator(f'a[href$="/avsnitt-2-kattungen-tuban{extension}"]')).to_have_count(1)

        lines = transcript.locator("li[data-start]")
        target = lines.nth(lines.count() - 1)
        start = float(target.get_attribute("data-start"))
        target.click()
        page.wait_for_function(
            "(s) => { const a = document.querySelector('#transcript audio'); return a && Math.abs(a.currentTime - s) < 1.0 }",
            arg=start,
            timeout=10_000,
        )
        page.screenshot(path=str(ARTIFACTS / "app-transcript.png"), full_page=True)

        page.locator("#search-box textarea, #search-box input").first.fill("tuban")
        page.locator("#search-button").click()
        hits = page.locator("#search-hits")
        expect(hits.locator("mark:visible").first).to_be_visible(timeout=30_000)
        expect(hits).to_contain_text("Avsnitt 2: Kattungen & tuban")
        page.screenshot(path=str(ARTIFACTS / "app-search.png"), full_page=True)
        hits.locator("mark:visible").first.click()  # a hit opens that episode at that moment
        expect(transcript.locator("li.current")).to_contain_text("tuban", ignore_case=True, timeout=30_000)
        browser.close()
