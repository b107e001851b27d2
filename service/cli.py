"""``python -m service``: transcribe inputs, search the library, or start the web app."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from service.config import FORMATS, ServiceConfig
from service.download import InputError
from textning.config import load_config
from textning.errors import TextningError


def timestamp(seconds: float) -> str:
    """``h:mm:ss`` for a position in an episode."""
    total = int(seconds)
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m service",
        description="Textning: Swedish transcription of podcasts, videos and files into SRT, VTT, TXT and JSON. "
        "With no command, starts the web app.",
    )
    commands = parser.add_subparsers(dest="command")

    run = commands.add_parser("transcribe", help="transcribe files, media URLs, video pages or podcast feeds")
    run.add_argument("inputs", nargs="+", metavar="INPUT", help="file, http(s) media or page URL, RSS/Atom feed")
    run.add_argument("--out-dir", required=True, type=Path, help="where NAME.srt/.vtt/.txt/.json are written")
    run.add_argument("--formats", help=f"comma-separated subset of {','.join(FORMATS)} (default: all)")
    run.add_argument("--model", help="model reference: 'default', a local directory or a hub id")
    run.add_argument("--language", help="spoken language code (default: sv)")
    run.add_argument("--episodes", type=int, help="newest N episodes of a feed (default: 1)")
    run.add_argument("--beam-size", type=int, help="beam size (default: 5)")
    run.add_argument("--batch-size", type=int, help="batched decoding size; 1 = sequential (default: 8)")
    run.add_argument("--word-timestamps", action="store_true", default=None, help="per-word times in the JSON")
    run.add_argument("--max-duration", type=float, dest="max_duration_s", help="longest audio accepted, seconds")
    run.add_argument("--data-dir", type=Path, help="library and download cache (default: $TEXTNING_CACHE/service)")
    run.add_argument("--config", type=Path, help="YAML or TOML file with ServiceConfig options")

    find = commands.add_parser("search", help="search every transcript made so far")
    find.add_argument("query", help="words to find (each as a prefix)")
    find.add_argument("--library", type=Path, help="library file (default: $TEXTNING_CACHE/service/library.sqlite3)")
    find.add_argument("--limit", type=int, default=20)

    app = commands.add_parser("app", help="start the web app (the default command)")
    app.add_argument("--host", default="127.0.0.1")
    app.add_argument("--port", type=int, default=7860)
    app.add_argument("--config", type=Path, help="YAML or TOML file with ServiceConfig options")
    app.add_argument("--model", help="model reference (default: 'default')")
    app.add_argument("--language", help="default spoken language code (default: sv)")
    app.add_argument("--data-dir", type=Path, help="library, downloads and outputs (default: $TEXTNING_CACHE/service)")
    return parser


def _config(args: argparse.Namespace) -> ServiceConfig:
    fields = (
        "model",
        "language",
        "episodes",
        "beam_size",
        "batch_size",
        "word_timestamps",
        "max_duration_s",
        "data_dir",
        "formats",
    )
    overrides = {name: getattr(args, name, None) for name in fields}
    config = load_config(ServiceConfig, getattr(args, "config", None), **overrides)
    unknown = sorted(set(config.formats) - set(FORMATS))
    if unknown or not config.formats:
        raise TextningError(f"--formats: choose from {','.join(FORMATS)} (got {','.join(config.formats) or 'none'})")
    return config


def transcribe_command(args: argparse.Namespace) -> int:
    from service.pipeline import TranscriptionService, unique_name

    config = _config(args)
    service = TranscriptionService(config)
    taken: set[str] = set()
    failures = 0
    for source in args.inputs:
        try:
            with progress_bar(unit="B", unit_scale=True, desc="download") as advance:
                items = service.resolve(source, on_download=advance)
            for item in items:
                item.name = unique_name(item.name, taken)
                with progress_bar(total=1.0, unit="s", desc=item.name[:30], bar_format=SECONDS_BAR) as advance:
                    done = service.transcribe_item(item, on_audio=advance)
                paths = service.write(item, done.transcript, args.out_dir)
                note = " (from the library)" if done.from_library else ""
                print(f"{item.source} -> {', '.join(str(p) for p in paths)}{note}")
        except InputError as error:
            failures += 1
            print(f"error: {error}", file=sys.stderr)
        except TextningError as error:
            failures += 1
            print(f"error: {source}: {error}", file=sys.stderr)
        except Exception as error:  # noqa: BLE001 - one broken input must not stop the others
            failures += 1
            print(f"error: {source}: unexpected {type(error).__name__}: {error}", file=sys.stderr)
    return 1 if failures else 0


SECONDS_BAR = "{l_bar}{bar}| {n:.0f}/{total:.0f} s [{elapsed}<{remaining}]"


@contextmanager
def progress_bar(**options) -> Iterator[Callable[[float, float | None], None]]:
    """A tqdm bar on stderr (only on a terminal) driven by (done, total) callbacks."""
    bar = tqdm(leave=False, disable=None, **options)

    def advance(done: float, total: float | None) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield advance
    finally:
        bar.close()


def search_command(args: argparse.Namespace) -> int:
    from service.library import Library

    path = args.library or ServiceConfig().library_path
    if not Path(path).is_file():
        raise TextningError(f"library '{path}' does not exist yet: transcribe something first")
    hits = Library(path).search(args.query, limit=args.limit)
    for hit in hits:
        print(f"{hit.title or hit.name}\t{timestamp(hit.start)}\t{hit.highlighted}")
    if not hits:
        print(f"no match for '{args.query}'", file=sys.stderr)
    return 0 if hits else 1


def app_command(args: argparse.Namespace) -> int:
    from service.app import launch

    launch(_config(args), host=args.host, port=args.port)
    return 0


COMMANDS = {"transcribe": transcribe_command, "search": search_command, "app": app_command}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        argv = ["app", *argv]  # the web app is the default command
    args = build_parser().parse_args(argv)
    return COMMANDS[args.command](args)
