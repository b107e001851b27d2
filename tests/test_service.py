"""The service end to end on real Swedish audio: files, URLs, a video page, feeds, the library, bad input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import srt
import webvtt

from service.config import ServiceConfig
from service.download import InputError
from service.inputs import fetch_feed
from service.pipeline import TranscriptionService
from tests.helpers import run_cli
from tests.subtitle_rules import check_cues
from textning.text import word_error_rate


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> TranscriptionService:
    return TranscriptionService(ServiceConfig(data_dir=tmp_path_factory.mktemp("service-data"), word_timestamps=True))


def transcribe(service: TranscriptionService, source: str, out_dir: Path):
    results = []
    for item in service.resolve(source):
        done = service.transcribe_item(item)
        results.append((item, done.transcript, done.from_library, service.write(item, done.transcript, out_dir)))
    return results


def vtt_seconds(stamp: str) -> float:
    hours, minutes, seconds = stamp.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def test_a_minute_of_swedish_end_to_end(service: TranscriptionService, media: dict, tmp_path: Path) -> None:
    clip = media["minute"]
    [(item, transcript, reused, paths)] = transcribe(service, str(clip.path), tmp_path)
    assert not reused and item.name == "minute"
    assert sorted(p.name for p in paths) == ["minute.json", "minute.srt", "minute.txt", "minute.vtt"]
    wer = word_error_rate([clip.reference], [transcript.text])
    assert wer < 0.45, f"WER {wer:.3f}: {transcript.text}"
    document = json.loads((tmp_path / "minute.json").read_text())
    assert document["metadata"]["language"] == "sv" and document["metadata"]["model"] == "default"
    assert abs(document["metadata"]["duration"] - clip.duration) < 0.1
    assert all(segment["words"] for segment in document["segments"])
    assert all(s["start"] <= s["end"] for s in document["segments"])
    txt = (tmp_path / "minute.txt").read_text()
    assert "Kattungen" in txt and txt.endswith("\n")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "no temporary files left behind"


def test_written_subtitles_follow_the_rules_and_load_in_ffmpeg(service, media: dict, tmp_path: Path) -> None:
    transcribe(service, str(media["minute"].path), tmp_path)
    srt_cues = [
        (c.start.total_seconds(), c.end.total_seconds(), c.content)
        for c in srt.parse((tmp_path / "minute.srt").read_text())
    ]
    vtt_cues = [(vtt_seconds(c.start), vtt_seconds(c.end), c.text) for c in webvtt.read(str(tmp_path / "minute.vtt"))]
    assert len(srt_cues) >= 10
    check_cues(srt_cues)
    assert [text for *_, text in srt_cues] == [text for *_, text in vtt_cues]
    for name in ("minute.srt", "minute.vtt"):
        result = subprocess.run(
            ["ffmpeg", "-v", "error", "-i", str(tmp_path / name), "-f", "ass", "-"], capture_output=True, text=True
        )
        assert result.returncode == 0 and "Dialogue:" in result.stdout, result.stderr


def test_the_library_reuses_transcripts_and_searches_them(service, media: dict, tmp_path: Path) -> None:
    transcribe(service, str(media["minute"].path), tmp_path)
    [(_, transcript, reused, _)] = transcribe(service, str(media["minute"].path), tmp_path / "again")
    assert reused, "the same audio with the same options is never transcribed twice"
    hits = service.library.search("kattungen")
    assert hits and hits[0].name == "minute" and "[Kattungen]" in hits[0].highlighted
    assert 10 < hits[0].start < 25
    assert service.library.search("ordsomintefinns") == []
    assert service.library.search("  ?! ") == []


def test_rss_feed_newest_episodes_with_titles_as_names_and_prompt(service, web, tmp_path: Path) -> None:
    service.config.episodes = 2
    try:
        results = transcribe(service, f"{web.url}/feed.xml", tmp_path)
    finally:
        service.config.episodes = 1
    names = [item.name for item, *_ in results]
    assert names == ["avsnitt-2-kattungen-tuban", "avsnitt-1-aldre-samtal"], (
        "newest first, the one without audio skipped"
    )
    item, transcript, _, _ = results[0]
    assert item.title == "Avsnitt 2: Kattungen & tuban" and "Textningspodden" in item.prompt
    assert item.source == f"{web.url}/newest.mp3", "relative enclosure resolved against the feed URL"
    assert "tuban" in transcript.text.lower()
    metadata = json.loads((tmp_path / "avsnitt-2-kattungen-tuban.json").read_text())["metadata"]
    assert metadata["title"] == item.title and metadata["source"] == item.source
    assert metadata["published"] == "2026-11-16"
    episodes = fetch_feed(f"{web.url}/feed.xml", service.config)
    assert [e.duration for e in episodes] == ["00:00:12", "00:00:10"]


def test_atom_feed_and_a_feed_known_only_by_its_content(service, web, tmp_path: Path) -> None:
    [(item, transcript, *_)] = transcribe(service, f"{web.url}/atom.atom", tmp_path)
    assert item.name == "atomavsnittet" and transcript.text
    [(item, *_)] = transcribe(service, f"{web.url}/podcast", tmp_path)
    assert item.name == "avsnitt-2-kattungen-tuban"


def test_direct_media_url_and_video_page(service, web, tmp_path: Path) -> None:
    [(item, transcript, *_)] = transcribe(service, f"{web.url}/episode-without-extension", tmp_path)
    assert item.name == "episode-without-extension" and "tuban" in transcript.text.lower()
    [(item, transcript, *_)] = transcribe(service, f"{web.url}/page.html", tmp_path)
    assert item.path.is_file() and item.title
    assert (tmp_path / f"{item.name}.srt").is_file() and transcript.text
    [(item, transcript, *_)] = transcribe(service, str(Path(web.root) / "lecture.mp4"), tmp_path)
    assert item.name == "lecture" and transcript.text


def test_interrupted_download_leaves_nothing_and_resumes(service, web) -> None:
    url = f"{web.url}/minute.wav"
    web.cut_next.add("minute.wav")
    with pytest.raises(InputError, match="rerun to resume"):
        service.resolve(url)
    assert not list(service.config.download_dir.glob("*.wav")), "no half file under the final name"
    [partial] = service.config.download_dir.glob("*.wav.part")
    half = partial.stat().st_size
    assert half > 0
    [item] = service.resolve(url)
    assert item.path.read_bytes() == (Path(web.root) / "minute.wav").read_bytes()
    assert web.requests[-1] == ("/minute.wav", f"bytes={half}-"), "the rest was asked for, not the whole file"
    assert not partial.exists()


def test_cli_processes_good_inputs_and_reports_each_bad_one(web, media: dict, tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    long_file = media["root"] / "minute.wav"
    bad = {
        str(tmp_path / "missing.mp3"): "no such file",
        str(empty): "empty file",
        f"{web.url}/notaudio.mp3": "not an audio or video file",
        f"{web.url}/nothing-here.mp3": "HTTP 404",
        "http://127.0.0.1:9/episode.mp3": "connection refused",
        f"{web.url}/broken.xml": "malformed feed",
        f"{web.url}/silent.xml": "no episode in the feed has an audio enclosure",
        "rtmp://127.0.0.1/live": "unsupported scheme",
    }
    good = str(media["root"] / "older.mp3")
    data_dir = tmp_path / "data"
    args = [
        "service",
        "transcribe",
        *bad,
        good,
        "--out-dir",
        str(tmp_path / "out"),
        "--formats",
        "srt,json",
        "--data-dir",
        str(data_dir),
    ]
    result = run_cli(*args)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == len(bad), result.stderr
    for (source, reason), line in zip(bad.items(), lines, strict=True):
        assert source in line and reason in line, line
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["older.json", "older.srt"]

    too_long = run_cli(
        "service",
        "transcribe",
        str(long_file),
        "--out-dir",
        str(tmp_path / "out2"),
        "--max-duration",
        "30",
        "--data-dir",
        str(data_dir),
    )
    assert too_long.returncode == 1 and "over the limit" in too_long.stderr and "Traceback" not in too_long.stderr
    assert not (tmp_path / "out2").exists()

    first_text = json.loads((tmp_path / "out" / "older.json").read_text())["segments"][0]["text"]
    word = max(first_text.split(), key=len).strip(".,!?")
    found = run_cli("service", "search", word, "--library", str(data_dir / "library.sqlite3"))
    assert found.returncode == 0, found.stderr
    name, stamp, text = found.stdout.splitlines()[0].split("\t")
    assert name == "older" and stamp.startswith("0:00:0") and f"[{word}]" in text


def test_cli_help_and_bad_formats() -> None:
    assert "--out-dir" in run_cli("service", "transcribe", "--help").stdout
    result = run_cli("service", "transcribe", "x.mp3", "--out-dir", "/tmp/x", "--formats", "srt,doc")
    assert result.returncode == 1 and "--formats" in result.stderr and "Traceback" not in result.stderr


def test_silence_and_tones_give_no_invented_text(service: TranscriptionService, tmp_path: Path) -> None:
    import numpy as np

    from textning.sample_audio import write_wav

    rate = 16_000
    t = np.arange(rate * 20) / rate
    silence = np.random.default_rng(0).normal(0, 1e-4, rate * 20).astype(np.float32)
    chords = sum(0.1 * np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)).astype(np.float32)
    chords *= (np.sin(2 * np.pi * 0.5 * t) > 0).astype(np.float32)  # music-like: notes on and off
    for name, audio in (("tystnad", silence), ("ackord", chords)):
        path = write_wav(tmp_path / f"{name}.wav", audio)
        [(item, transcript, *_)] = transcribe(service, str(path), tmp_path)
        assert transcript.segments == [], f"{name}: {transcript.text!r}"
        assert (tmp_path / f"{name}.srt").read_text() == ""
