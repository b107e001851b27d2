"""The web app's handlers, without a browser: feeds, URLs, uploads, search, errors as messages."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import gradio as gr
import pytest

from service.app import TextningApp, build_app
from service.config import ServiceConfig


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> TextningApp:
    return TextningApp(ServiceConfig(data_dir=tmp_path_factory.mktemp("app-data")))


def noop_progress(*args, **kwargs) -> None:
    pass


def test_the_app_builds(app: TextningApp) -> None:
    assert isinstance(build_app(app.config), gr.Blocks)


def test_feed_episodes_are_listed_then_transcribed(app: TextningApp, web) -> None:
    update, episodes = app.list_episodes(f"{web.url}/feed.xml")
    labels = [label for label, _ in update.choices]
    assert labels == [
        "Avsnitt 2: Kattungen & tuban · 2026-11-16 · 00:00:12",
        "Avsnitt 1: Äldre samtal · 2026-11-02 · 00:00:10",
    ]
    assert update.value == ["0"]
    files, page = app.transcribe_episodes(episodes, ["0", "1"], "default", "sv", progress=noop_progress)
    names = sorted(Path(f).name for f in files)
    assert (
        names[:4]
        == [
            "avsnitt-1-aldre-samtal.json",
            "avsnitt-1-aldre-samtal.srt",
            "avsnitt-1-aldre-samtal.txt",
            "avsnitt-1-aldre-samtal.vtt",
        ]
        and len(names) == 8
    )
    assert page.count("<li data-start=") >= 2 and "Avsnitt 2: Kattungen &amp; tuban" in page
    assert f'src="/gradio_api/file={app.config.data_dir}' in page, "the player serves from the data folder"


def test_upload_and_search_then_open_a_hit(app: TextningApp, media: dict) -> None:
    files, page = app.transcribe_file(str(media["minute"].path), "default", "sv", progress=noop_progress)
    assert any(f.endswith("minute.srt") for f in files) and "Kattungen" in page
    rows, hits = app.search("kattungen")
    assert rows and rows[0][0] == "minute" and "<mark>Kattungen</mark>" in rows[0][2]
    files, page = app.open_hit(hits, SimpleNamespace(index=[0, 2]))
    assert "#t=" in page and 'class="current"' in page and any(f.endswith(".vtt") for f in files)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda app: app.transcribe_url("file:///etc/passwd", "default", "sv", noop_progress), "only http"),
        (lambda app: app.transcribe_url("", "default", "sv", noop_progress), "Paste a link"),
        (lambda app: app.list_episodes("/etc/hostname"), "only http"),
        (lambda app: app.transcribe_file(None, "default", "sv", noop_progress), "Upload or record"),
        (
            lambda app: app.transcribe_url("http://127.0.0.1:9/x.mp3", "default", "sv", noop_progress),
            "connection refused",
        ),
        (
            lambda app: app.transcribe_url("http://127.0.0.1:9/x.mp3", "./no-such-model", "sv", noop_progress),
            "no-such-model",
        ),
    ],
)
def test_failures_become_messages_in_the_page(app: TextningApp, call, message: str) -> None:
    with pytest.raises(gr.Error, match=message):
        call(app)
