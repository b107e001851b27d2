"""Broadcast-style subtitle cues from a transcript.

Rules: at most 42 characters a line and 2 lines a cue; each cue 0.5-7 s on screen; no overlaps; reading
speed kept near 17 characters a second where the timing allows; lines broken at natural points
(punctuation, before clause words), never inside a word; cues split on word timestamps when there are some.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.transcript import SENTENCE_END, Segment, Transcript

MAX_LINE = 42
MAX_LINES = 2
MIN_DURATION = 0.5
MAX_DURATION = 7.0
READING_CPS = 17.0
PAUSE_BREAK_S = 1.0
# Words a Swedish (or English) clause often starts with: a good place to break before.
CLAUSE_WORDS = frozenset(
    "och men att som eller för så när om eftersom därför medan då utan fast innan sedan tills "
    "trots vilket vilken där hur vad varför and but that which or because so when if while".split()
)
CLAUSE_END = (",", ";", ":", "–", "—")


@dataclass
class Cue:
    start: float
    end: float
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class _Token:
    text: str
    start: float
    end: float


def _tokens(segment: Segment) -> list[_Token]:
    """Words with times: the word timestamps when present, else the segment's span shared by length."""
    if segment.words:
        return [_Token(w.word.strip(), w.start, w.end) for w in segment.words if w.word.strip()]
    words = segment.text.split()
    if not words:
        return []
    total = sum(len(word) + 1 for word in words)
    span = max(segment.end - segment.start, 0.0)
    tokens, position = [], segment.start
    for word in words:
        length = span * (len(word) + 1) / total
        tokens.append(_Token(word, position, position + length))
        position += length
    return tokens


def _break_bonus(previous: str, following: str) -> float:
    """How natural a break is between two words (higher is better)."""
    if previous.endswith(SENTENCE_END):
        return 3.0
    if previous.endswith(CLAUSE_END):
        return 2.0
    if previous.lower() in CLAUSE_WORDS:  # never leave "och", "att"... hanging at a line's end
        return -1.0
    if following.lower().strip("\"'(") in CLAUSE_WORDS:
        return 1.0
    return 0.0


def split_lines(words: list[str], max_line: int = MAX_LINE) -> list[str] | None:
    """Two lines (or one) of at most ``max_line`` characters, broken at the most natural word boundary."""
    text = " ".join(words)
    if len(text) <= max_line:
        return [text]
    best: tuple[float, int] | None = None
    for cut in range(1, len(words)):
        top, bottom = " ".join(words[:cut]), " ".join(words[cut:])
        if len(top) > max_line or len(bottom) > max_line:
            continue
        balance = abs(len(top) - len(bottom)) / max_line
        score = _break_bonus(words[cut - 1], words[cut]) - 2.0 * balance
        if best is None or score > best[0]:
            best = (score, cut)
    if best is None:
        return None
    return [" ".join(words[: best[1]]), " ".join(words[best[1] :])]


def _fits(tokens: list[_Token]) -> bool:
    if tokens[-1].end - tokens[0].start > MAX_DURATION and len(tokens) > 1:
        return False
    return split_lines([t.text for t in tokens]) is not None


def _group(tokens: list[_Token]) -> list[list[_Token]]:
    """Greedy grouping into cues, ending early at sentence ends and pauses, backing up to a natural break."""
    groups: list[list[_Token]] = []
    current: list[_Token] = []
    for token in tokens:
        if current and token.start - current[-1].end > PAUSE_BREAK_S:
            groups.append(current)
            current = []
        if current and not _fits(current + [token]):
            cut = _best_cut(current)
            groups.append(current[:cut])
            current = current[cut:]
            while current and not _fits(current + [token]):  # a long remainder: flush it whole
                groups.append(current)
                current = []
        current.append(token)
        text_length = len(" ".join(t.text for t in current))
        if token.text.endswith(SENTENCE_END) and (text_length >= MAX_LINE or token.end - current[0].start >= 2.5):
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def _best_cut(tokens: list[_Token]) -> int:
    """Where to end a full cue: the most natural break in its second half, else at the end."""
    best_cut, best_score = len(tokens), 0.0
    for cut in range(max(1, len(tokens) // 2), len(tokens)):
        score = _break_bonus(tokens[cut - 1].text, tokens[cut].text)
        if score > best_score:
            best_cut, best_score = cut, score
    return best_cut


def _hard_wrap(token: _Token) -> list[str]:
    """A single word longer than a line (a URL, say) cut into line-sized pieces: the only in-word break."""
    return [token.text[i : i + MAX_LINE] for i in range(0, len(token.text), MAX_LINE)][:MAX_LINES]


def build_cues(transcript: Transcript) -> list[Cue]:
    """Subtitle cues following the module's broadcast rules."""
    tokens = [token for segment in transcript.segments for token in _tokens(segment)]
    cues = []
    for group in _group(tokens):
        lines = split_lines([t.text for t in group]) or _hard_wrap(group[0])
        cues.append(Cue(group[0].start, group[-1].end, lines))
    return _retime(cues, transcript.duration)


def _retime(cues: list[Cue], duration: float) -> list[Cue]:
    """Enforce 0.5-7 s, no overlaps, and extend short cues toward 17 characters a second into free time."""
    timed: list[Cue] = []
    for index, cue in enumerate(cues):
        start = max(cue.start, timed[-1].end if timed else 0.0)
        next_start = cues[index + 1].start if index + 1 < len(cues) else max(duration, cue.end)
        reading = len(cue.text.replace("\n", " ")) / READING_CPS
        wanted = min(max(cue.end, start + reading, start + MIN_DURATION), start + MAX_DURATION)
        end = min(wanted, max(next_start, start + MIN_DURATION))
        end = max(end, start + MIN_DURATION)
        timed.append(Cue(round(start, 3), round(end, 3), cue.lines))
    return timed
