"""Subtitle cue building on synthetic transcripts: every rule, including the awkward cases."""

from __future__ import annotations

import srt
import webvtt

from service.subtitles import READING_CPS, build_cues, split_lines
from service.transcript import Segment, Transcript, Word
from service.writers import to_srt, to_vtt
from tests.subtitle_rules import check_cues

SENTENCES = [
    "Välkommen till Textningspodden, där vi pratar om svenska undertexter och hur de ska se ut.",
    "Idag har vi besök av Åsa Lindqvist, som har textat tv-program i över tjugo år.",
    "Hej!",
    "Ja.",
    "Hon berättar att en bra undertext ska gå att läsa i lugn takt, men att den aldrig får ligga kvar för länge "
    "när ingen längre pratar, eftersom tittaren då tappar tråden och börjar läsa fel sak.",
]


def timed_words(sentences: list[str], rate: float = 0.3, gap: float = 0.05, pause: float = 0.6) -> list[Segment]:
    segments, t = [], 0.0
    for sentence in sentences:
        words = []
        for token in sentence.split():
            words.append(Word(t, t + rate, " " + token))
            t += rate + gap
        segments.append(Segment(words[0].start, words[-1].end, sentence, words))
        t += pause
    return segments


def as_tuples(cues) -> list[tuple[float, float, str]]:
    return [(cue.start, cue.end, cue.text) for cue in cues]


def test_word_timed_transcript_follows_every_rule() -> None:
    transcript = Transcript(timed_words(SENTENCES), "sv", 120.0, "default")
    cues = build_cues(transcript)
    check_cues(as_tuples(cues), " ".join(SENTENCES).split())
    assert any(len(cue.lines) == 2 for cue in cues)


def test_fast_speech_is_split_by_time_and_short_cues_are_stretched_to_be_readable() -> None:
    fast = timed_words(SENTENCES, rate=0.08, gap=0.0)
    slow_gaps = timed_words(["Hej!", "Ja.", "Nej."], rate=0.1, pause=3.0)
    cues = build_cues(Transcript(fast, "sv", 60.0, "default"))
    check_cues(as_tuples(cues))
    short = build_cues(Transcript(slow_gaps, "sv", 60.0, "default"))
    check_cues(as_tuples(short))
    for cue in short:  # free time after each: shown long enough to read, at least 0.5 s
        assert cue.end - cue.start >= max(0.5, len(cue.text) / READING_CPS) - 1e-3


def test_segments_without_word_times_and_rapid_overlapping_words() -> None:
    segments = [Segment(0.0, 12.0, SENTENCES[4]), Segment(12.0, 12.2, "Ja."), Segment(12.1, 12.3, "Precis.")]
    check_cues(as_tuples(build_cues(Transcript(segments, "sv", 13.0, "default"))))


def test_lines_break_at_natural_points_never_inside_words() -> None:
    lines = split_lines("Idag har vi besök av Åsa Lindqvist, som har textat tv-program i över tjugo år.".split())
    assert lines == ["Idag har vi besök av Åsa Lindqvist,", "som har textat tv-program i över tjugo år."]
    lines = split_lines("Vi gick hem tidigt igår kväll och sedan lagade vi en stor middag".split())
    assert lines[1].startswith("och ")
    assert split_lines(["a" * 50]) is None


def test_a_word_longer_than_a_line_is_the_only_one_cut() -> None:
    url = "https://example.se/" + "x" * 60
    cues = build_cues(Transcript([Segment(0.0, 3.0, f"Se {url} nu.")], "sv", 3.0, "default"))
    check_cues(as_tuples(cues))


def test_srt_and_vtt_parse_back() -> None:
    cues = build_cues(Transcript(timed_words(SENTENCES), "sv", 120.0, "default"))
    parsed = list(srt.parse(to_srt(cues)))
    assert [p.content for p in parsed] == [cue.text for cue in cues]
    assert abs(parsed[3].start.total_seconds() - cues[3].start) < 1e-3
    vtt = webvtt.from_string(to_vtt(cues))
    assert [c.text for c in vtt.captions] == [cue.text for cue in cues]
    hours, minutes, seconds = vtt.captions[-1].end.split(":")
    assert abs(int(hours) * 3600 + int(minutes) * 60 + float(seconds) - cues[-1].end) < 2e-3
