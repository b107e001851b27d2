"""The Textning web app (Gradio): podcast feeds, video/audio URLs, uploads and the microphone -> subtitles,
a transcript that plays from the line you click, and search over every transcript in the library.

The handlers are plain methods of ``TextningApp`` so they can be tested without a browser.
"""

from __future__ import annotations

import dataclasses
import html
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse

import gradio as gr

from service.audio import file_sha256
from service.cli import timestamp
from service.config import ServiceConfig
from service.inputs import MediaItem, episodes_to_items, fetch_feed, slugify
from service.library import Hit
from service.pipeline import TranscriptionService, unique_name
from service.transcript import Transcript
from textning.errors import TextningError

LANGUAGES = [("Svenska", "sv"), ("English", "en"), ("Norsk", "no"), ("Dansk", "da"), ("Suomi", "fi"), ("Auto", "")]
CLICK_TO_PLAY_JS = """
element.addEventListener('click', (event) => {
  const line = event.target.closest('[data-start]');
  const audio = element.querySelector('audio');
  if (!line || !audio) return;
  audio.currentTime = parseFloat(line.dataset.start);
  audio.play().catch(() => {});
});
"""
CSS = """
.textning-lines { list-style: none; padding-left: 0; max-height: 28rem; overflow-y: auto; }
.textning-lines li { cursor: pointer; padding: .25rem .4rem; border-radius: .3rem; }
.textning-lines li:hover, .textning-lines li.current { background: var(--color-accent-soft); }
.textning-time { font-variant-numeric: tabular-nums; opacity: .7; margin-right: .5rem; }
.textning-result audio { width: 100%; }
mark { padding: 0 .1rem; }
"""

Progress = Callable[..., object]


class TextningApp:
    """State and handlers behind the web app; one TranscriptionService per (model, language)."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self._services: dict[tuple[str, str], TranscriptionService] = {}
        self._lock = threading.Lock()

    def service(self, model: str | None = None, language: str | None = None) -> TranscriptionService:
        key = (model or self.config.model, self.config.language if language is None else language)
        with self._lock:
            if key not in self._services:
                config = dataclasses.replace(self.config, model=key[0], language=key[1])
                self._services[key] = self._guard(lambda: TranscriptionService(config))
            return self._services[key]

    # -- podcast feeds --------------------------------------------------------------------------------------
    def list_episodes(self, feed: str) -> tuple[gr.CheckboxGroup, list[dict]]:
        """The feed's episodes (title, date, duration) to choose from, newest first and the newest ticked."""
        feed = (feed or "").strip()
        if not feed:
            raise gr.Error("Klistra in en RSS-länk / Paste an RSS link")
        _require_web_url(feed)
        try:
            episodes = fetch_feed(feed, self.config)
        except TextningError as error:
            raise gr.Error(str(error)) from None
        labels = [" · ".join(part for part in (e.title, e.published, e.duration) if part) for e in episodes]
        state = [dataclasses.asdict(e) for e in episodes]
        choices = list(zip(labels, [str(i) for i in range(len(labels))], strict=True))
        return gr.CheckboxGroup(choices=choices, value=["0"], visible=True), state

    def transcribe_episodes(
        self, episodes: list[dict], chosen: list[str], model: str, language: str, progress: Progress = gr.Progress()
    ) -> tuple[list[str], str]:
        """Download and transcribe the chosen episodes; the first is shown, all are downloadable."""
        from service.feeds import Episode

        if not chosen:
            raise gr.Error("Välj minst ett avsnitt / Pick at least one episode")
        picked = [Episode(**episodes[int(i)]) for i in chosen]
        items = self._guard(lambda: episodes_to_items(picked, self.config, _download_progress(progress)))
        return self._transcribe(items, model, language, progress)

    # -- URL, upload, microphone ----------------------------------------------------------------------------
    def transcribe_url(
        self, url: str, model: str, language: str, progress: Progress = gr.Progress()
    ) -> tuple[list[str], str]:
        url = (url or "").strip()
        if not url:
            raise gr.Error("Klistra in en länk / Paste a link")
        _require_web_url(url)
        service = self.service(model, language)
        items = self._guard(lambda: service.resolve(url, on_download=_download_progress(progress)))
        return self._transcribe(items, model, language, progress)

    def transcribe_file(
        self, path: str | None, model: str, language: str, progress: Progress = gr.Progress()
    ) -> tuple[list[str], str]:
        """An uploaded or recorded file, kept in the data folder so the player can serve it later."""
        if not path:
            raise gr.Error("Ladda upp eller spela in ljud / Upload or record audio")
        source = Path(path)
        digest = file_sha256(source)[:16]
        kept = self.config.data_dir / "uploads" / f"{digest}{source.suffix.lower()}"
        kept.parent.mkdir(parents=True, exist_ok=True)
        if not kept.exists():
            shutil.copyfile(source, kept)
        item = MediaItem(name=slugify(source.stem, "upload"), path=kept, source=source.name)
        return self._transcribe([item], model, language, progress)

    # -- search ---------------------------------------------------------------------------------------------
    def search(self, query: str) -> tuple[list[list[str]], list[dict]]:
        """Hits across every transcript: (episode, time, highlighted text) rows and their details."""
        hits = self.service().library.search(query or "")
        rows = [[hit.title or hit.name, timestamp(hit.start), _highlight(hit)] for hit in hits]
        return rows, [dataclasses.asdict(hit) for hit in hits]

    def open_hit(self, hits: list[dict], event: gr.SelectData) -> tuple[list[str], str]:
        """Open the episode of the clicked hit at that moment."""
        row = event.index[0] if isinstance(event.index, list | tuple) else event.index
        hit = Hit(**hits[row])
        entry = self.service().library.get(hit.key)
        if entry is None:
            raise gr.Error("Transkriptionen finns inte längre / The transcript is gone")
        files = self.service().write(_item_from_entry(entry), entry.transcript, self._out_dir(entry.key))
        return [str(p) for p in files], render_transcript(entry.transcript, entry.media_path, start=hit.start)

    # -- shared ---------------------------------------------------------------------------------------------
    def _transcribe(
        self, items: list[MediaItem], model: str, language: str, progress: Progress
    ) -> tuple[list[str], str]:
        service = self.service(model, language)
        files: list[str] = []
        shown = ""
        taken: set[str] = set()
        for number, item in enumerate(items, start=1):
            item.name = unique_name(item.name, taken)
            label = f"{number}/{len(items)} {item.title or item.name}"

            def on_audio(done: float, total: float, label: str = label) -> None:
                progress(done / total if total else 0.0, desc=f"Transkriberar / Transcribing {label}")

            done = self._guard(lambda item=item: service.transcribe_item(item, on_audio=on_audio))
            files += [str(p) for p in service.write(item, done.transcript, self._out_dir(done.key))]
            shown = shown or render_transcript(done.transcript, str(item.path))
        return files, shown

    def _out_dir(self, key: str) -> Path:
        return self.config.data_dir / "outputs" / key[:16]

    @staticmethod
    def _guard(work: Callable):
        """Run ``work``; a user-facing failure becomes a message in the page, never a stack trace."""
        try:
            return work()
        except TextningError as error:
            raise gr.Error(str(error)) from None
        except gr.Error:
            raise
        except Exception as error:  # noqa: BLE001 - the app must keep working for everyone else
            raise gr.Error(f"Oväntat fel / Unexpected error: {type(error).__name__}: {error}") from None


def _require_web_url(url: str) -> None:
    """The app fetches only http(s): a visitor must not make the server read its own files."""
    if urlparse(url).scheme.lower() not in ("http", "https"):
        raise gr.Error(f"{url}: bara http(s)-länkar / only http(s) links")


def _item_from_entry(entry) -> MediaItem:
    return MediaItem(name=entry.name, path=Path(entry.media_path or ""), source=entry.source or "", title=entry.title)


def _download_progress(progress: Progress) -> Callable[[int, int | None], None]:
    def report(done: int, total: int | None) -> None:
        if total:
            progress(done / total, desc="Hämtar / Downloading")

    return report


def _highlight(hit: Hit) -> str:
    escaped = html.escape(hit.highlighted)
    return escaped.replace("[", "<mark>").replace("]", "</mark>")


def render_transcript(transcript: Transcript, media_path: str | None, start: float = 0.0) -> str:
    """The transcript as HTML: a player and one clickable line per segment (a click plays from there)."""
    title = html.escape(transcript.title or Path(media_path or "").stem or "Transkription")
    player = ""
    if media_path and Path(media_path).is_file():
        fragment = f"#t={start:.2f}" if start else ""
        player = (
            f'<audio controls preload="metadata" src="/gradio_api/file={html.escape(media_path)}{fragment}"></audio>'
        )
    lines = []
    for segment in transcript.segments:
        current = ' class="current"' if start and segment.start <= start < segment.end + 0.01 else ""
        lines.append(
            f'<li data-start="{segment.start:.2f}"{current}><span class="textning-time">{timestamp(segment.start)}'
            f"</span>{html.escape(segment.text)}</li>"
        )
    return (
        f'<div class="textning-result"><h3>{title}</h3>{player}<ol class="textning-lines">{"".join(lines)}</ol></div>'
    )


def build_app(config: ServiceConfig) -> gr.Blocks:
    """The Gradio Blocks app on ``config``."""
    app = TextningApp(config)
    with gr.Blocks(title="Textning") as demo:
        gr.Markdown(
            "# Textning\nSvenska undertexter och sökbara transkriptioner · Swedish subtitles and searchable transcripts"
        )
        with gr.Row(equal_height=True):
            query = gr.Textbox(
                label="Sök i alla transkriptioner / Search every transcript", elem_id="search-box", scale=4
            )
            find = gr.Button("Sök / Search", elem_id="search-button", scale=1, min_width=80, size="sm")
        hits_state = gr.State([])
        hits = gr.Dataframe(
            headers=["Avsnitt / Episode", "Tid / Time", "Text"],
            datatype=["str", "str", "html"],
            interactive=False,
            wrap=True,
            column_widths=["30%", "18%", "52%"],
            elem_id="search-hits",
        )
        with gr.Tabs():
            with gr.Tab("Podd / Podcast", id="podcast"):
                feed = gr.Textbox(label="RSS-länk / RSS link", placeholder="https://…/feed.xml", elem_id="feed-url")
                fetch = gr.Button("Hämta avsnitt / Get episodes", elem_id="fetch-episodes")
                episodes_state = gr.State([])
                chosen = gr.CheckboxGroup(label="Avsnitt / Episodes", visible=False, elem_id="episodes")
                run_feed = gr.Button("Transkribera / Transcribe", variant="primary", elem_id="transcribe-feed")
            with gr.Tab("Länk / URL", id="url"):
                url = gr.Textbox(
                    label="Video- eller ljudlänk / Video or audio URL", placeholder="https://…", elem_id="media-url"
                )
                run_url = gr.Button("Transkribera / Transcribe", variant="primary", elem_id="transcribe-url")
            with gr.Tab("Fil / File", id="file"):
                upload = gr.File(label="Ljud eller video / Audio or video", type="filepath")
                run_upload = gr.Button("Transkribera / Transcribe", variant="primary", elem_id="transcribe-file")
            with gr.Tab("Mikrofon / Mic", id="mic"):
                mic = gr.Audio(sources=["microphone"], type="filepath", label="Spela in / Record")
                run_mic = gr.Button("Transkribera / Transcribe", variant="primary", elem_id="transcribe-mic")
        with gr.Accordion("Modell och språk / Model and language", open=False), gr.Row():
            model = gr.Textbox(value=config.model, label="Modell / Model", scale=2)
            language = gr.Dropdown(LANGUAGES, value=config.language, label="Språk / Language", scale=1)
        files = gr.File(label="Ladda ner / Download (SRT, VTT, TXT, JSON)", file_count="multiple", elem_id="downloads")
        transcript = gr.HTML(js_on_load=CLICK_TO_PLAY_JS, elem_id="transcript")

        outputs = [files, transcript]
        work = {"concurrency_limit": 1, "concurrency_id": "transcribe"}
        fetch.click(app.list_episodes, feed, [chosen, episodes_state])
        feed.submit(app.list_episodes, feed, [chosen, episodes_state])
        run_feed.click(app.transcribe_episodes, [episodes_state, chosen, model, language], outputs, **work)
        run_url.click(app.transcribe_url, [url, model, language], outputs, **work)
        run_upload.click(app.transcribe_file, [upload, model, language], outputs, **work)
        run_mic.click(app.transcribe_file, [mic, model, language], outputs, **work)
        find.click(app.search, query, [hits, hits_state])
        query.submit(app.search, query, [hits, hits_state])
        hits.select(app.open_hit, hits_state, outputs)
    demo.queue(default_concurrency_limit=4)
    return demo


def launch(config: ServiceConfig, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Start the app and serve media from the data folder to the transcript player."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    build_app(config).launch(
        server_name=host,
        server_port=port,
        allowed_paths=[str(config.data_dir)],
        css=CSS,
        footer_links=[],
        show_error=False,
    )
