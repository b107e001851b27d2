"""The broadcast subtitle rules, checked on parsed cues (shared by the unit and end-to-end tests)."""

from __future__ import annotations

from service.subtitles import MAX_DURATION, MAX_LINE, MAX_LINES, MIN_DURATION


def check_cues(cues: list[tuple[float, float, str]], words: list[str] | None = None) -> None:
    """Assert every rule on (start, end, text) cues; ``words``, when given, must come back whole and in order."""
    previous_end = 0.0
    for start, end, text in cues:
        lines = text.split("\n")
        assert 1 <= len(lines) <= MAX_LINES, text
        assert all(0 < len(line) <= MAX_LINE for line in lines), text
        assert MIN_DURATION - 1e-3 <= end - start <= MAX_DURATION + 1e-3, (start, end, text)
        assert start >= previous_end - 1e-3, f"overlap before {text!r}"
        previous_end = end
    if words is not None:
        assert " ".join(" ".join(text.split()) for _, _, text in cues).split() == words
