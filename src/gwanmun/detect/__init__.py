"""Input detectors: one per module, each ``detect(text) -> list[Finding]``.

Every detector is pure (no IO, no environment, no clock) and registers itself
in ``REGISTRY`` by a stable id, exactly as a third-party detector would: a
plugin package declares it in the ``gwanmun.detectors`` entry-point group, and
it is loaded when a policy names it (``detectors:``).
"""

from __future__ import annotations

import importlib
import operator
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn, Protocol, runtime_checkable

import hyperscan
import numpy as np

from gwanmun.errors import ConfigError
from gwanmun.registry import Registry
from gwanmun.text import Normalized, normalize
from gwanmun.types import Finding


@runtime_checkable
class Detector(Protocol):
    """The detector contract.

    ``id`` is stable and unique; ``kinds`` lists the finding kinds it can emit.
    ``detect`` is given the *normalised* text (``gwanmun.text.normalize``: NFKC,
    ASCII digits and hyphens, no zero-width characters, spaced-out digits
    closed up) and returns findings whose offsets index that text;
    ``run_detectors`` maps them back to the original.

    A detector may also set ``trigger``, a regex that every value it reports
    contains (see ``TriggerIndex``); it is then given only slices of the
    text around the trigger's matches. If it also sets ``pattern`` (the one
    regex whose matches it judges) and ``context`` (the most characters it
    reads before or after a match: the widest ``near`` window), the slices are
    cut to what that needs (``detector_reach``) instead of ``REACH``.

    A detector without a trigger that must also see what was typed (the
    table-row reader: the normaliser joins ``900101 | 2024-03-01`` into one
    dashed number, and the cells are lost) may define
    ``detect_normalized(normalized)``: ``run_detectors`` then calls it, with
    the ``gwanmun.text.Normalized`` (original text and offset map), instead
    of ``detect``; its findings index ``normalized.text`` all the same.

    A detector without a trigger may name ``hints``: ``(expression,
    hyperscan flags)`` pairs it would otherwise scan the whole text for
    itself (the words that name a value, the literals of secrets).
    ``run_detectors`` finds them in the trigger pass and calls
    ``detect(text, hints=...)`` (or ``detect_normalized``) with where they
    end: ``(end, hint number)`` in characters, sorted — what
    ``Scanner(expressions, flags).ends(text)`` gives. Called without
    ``hints``, the detector scans for itself.
    """

    @property
    def id(self) -> str: ...

    @property
    def kinds(self) -> tuple[str, ...]: ...

    def detect(self, text: str) -> list[Finding]: ...


# The entry-point group third-party detectors are declared in (docs/policy.md, "Plugins").
DETECTOR_ENTRY_POINTS = "gwanmun.detectors"


def _as_detector(loaded: object, name: str) -> Detector:
    """A plugin's entry point names a detector, or a class or function that makes one."""
    made = loaded() if isinstance(loaded, type) else loaded
    if not isinstance(made, Detector) and callable(made):
        made = made()
    if not isinstance(made, Detector):
        raise ConfigError(
            f"plugin detector {name!r} is not a detector (it needs id, kinds and detect(text))"
        )
    return made


class DetectorRegistry(Registry[Detector]):
    """Detectors by id. Unknown ids are an error that lists the known ones."""

    def __init__(self) -> None:
        super().__init__("detector", DETECTOR_ENTRY_POINTS, lambda d: d.id, _as_detector)


REGISTRY = DetectorRegistry()

# How far around a trigger match a detector may need to look: the part of a
# value before and after its trigger (a region name before a plate number, a
# country code before a phone number) plus the context words ``near`` reads (at
# most 40 characters away).
REACH = 96
# The longest text the trigger of a detector without ``detector_reach`` matches
# (those triggers are short and bounded: markings, addresses, e-mail).
TRIGGER_MAX = 16
# Windows of one detector closer than this are scanned as one slice.
BRIDGE = 32
# The standard library's own regex parser, for the longest match of a pattern
# (``re._parser`` has no public name or type stubs).
re_parser: Any = importlib.import_module("re._parser")
# What a pattern's lookarounds read beyond its match (``NO_DIGIT_BEFORE`` reads two
# characters back) and the one edge character a trigger may carry outside the
# value (``EDGE_BEFORE`` / ``EDGE_AFTER``), with room to spare. (What
# ``spaced_continuation`` reads — a space and up to nine characters — lies
# within the ``context`` of every detector it applies to: a test checks.)
LOOKAROUND = 4


def detector_reach(detector: object) -> tuple[int, int] | None:
    """How far before and after a trigger match's end the slice of a detector
    that declares ``pattern`` and ``context`` must reach; ``None`` (it gets
    ``REACH``) when it declares neither or its pattern's length is unbounded.

    A reported match is at most ``longest`` characters and contains the
    trigger match, so it lies within ``longest`` of the trigger's end on either
    side; the detector reads ``context`` characters and its lookarounds beyond
    it. Before, one ``longest`` more: a slice must not start where a match the
    whole text never had (its lookbehind cut off at the slice's edge) could
    run into a reported value.
    """
    pattern = getattr(detector, "pattern", None)
    context = getattr(detector, "context", None)
    if not isinstance(pattern, re.Pattern) or not isinstance(context, int):
        return None
    longest = int(re_parser.parse(pattern.pattern, pattern.flags).getwidth()[1])
    if longest >= re_parser.MAXREPEAT:
        return None
    return 2 * longest + context + LOOKAROUND, longest + context + LOOKAROUND


Windows = dict[str, list[tuple[int, int]]]


class TriggerIndex:
    """One hyperscan pass that says, per detector, which slices of a text it
    must scan.

    A detector declares ``trigger`` (a bounded regex in the syntax Python and
    hyperscan share) when every value it reports contains a match of it (give
    or take one edge character: ``EDGE_BEFORE`` / ``EDGE_AFTER``) — a free-standing
    six digits and the gender digit for a resident number, ``@`` for e-mail. The windows are
    every trigger match widened by ``REACH`` (and ``TRIGGER_MAX``) on both sides —
    or by what ``detector_reach`` computes for a detector that declares its
    ``pattern`` and ``context`` — merged; a slice never starts or ends within that
    reach of a trigger match, so a value, what its pattern looks at around it and
    its context words all lie inside one slice, and the detector finds on the
    slices exactly what it finds on the whole text (tests/test_detect_windows.py
    checks every detector). A detector whose trigger does not occur is not run
    at all.
    """

    def __init__(self, detectors: Sequence[Detector]) -> None:
        triggered = [d for d in detectors if getattr(d, "trigger", None)]
        self.ids = [d.id for d in triggered]
        # The triggered detectors themselves, kept so their ``id()`` stays theirs:
        # ``run_detectors`` passes over one whose trigger did not occur.
        self._triggered = tuple(triggered)
        self.triggered = frozenset(id(d) for d in triggered)
        triggers = [str(getattr(d, "trigger")) for d in triggered]  # noqa: B009
        # Per trigger: how far before and after a match's end its slice reaches.
        self.reach: list[tuple[int, int]] = []
        for d in triggered:
            reach = detector_reach(d)
            self.reach.append((TRIGGER_MAX + REACH, REACH) if reach is None else reach)
        # The hints of untriggered detectors, found in this same pass: a scan
        # of their own encodes the text again and converts its own offsets
        # (the parts detector's naming words by regex cost ~250 us on 100 KB,
        # the credentials' literals ~0.3 ms).
        expressions = list(triggers)
        flags = [hyperscan.HS_FLAG_UTF8] * len(triggers)
        self._triggers = len(triggers)
        self._hint_of: list[tuple[int, int]] = []  # per hint number: (id(detector), its own)
        for d in detectors:
            if id(d) in self.triggered:
                continue
            for number, (expression, flag) in enumerate(_hints(d)):
                self._hint_of.append((id(d), number))
                expressions.append(expression)
                flags.append(flag)
        self.hinted = frozenset(owner for owner, _ in self._hint_of)
        self._scanner = Scanner(expressions, flags) if expressions else None
        # What ``run`` hands out for the detectors this index was built from:
        # their positions, those always run and those run where their
        # trigger occurs (by id), and how each is run.
        self._order = tuple(detectors)
        self._always: list[int] = []
        self._at: dict[str, list[int]] = {}
        self._modes: list[tuple[Detector, int]] = []
        for position, d in enumerate(self._order):
            if id(d) in self.triggered:
                self._at.setdefault(d.id, []).append(position)
                self._modes.append((d, SLICES))
            else:
                self._always.append(position)
                self._modes.append((d, NORMALIZED if _reads_whole(d) else WHOLE))

    def matches(self, text: str) -> int:
        """How many trigger matches ``text`` has (what ``windows`` is built from)."""
        if self._scanner is None:
            return 0
        return sum(number < self._triggers for _, number in self._scanner.ends(text))

    def windows(self, text: str) -> Windows:
        return self.scan(text)[0]

    def scan(self, text: str) -> tuple[Windows, Hints]:
        """The windows of ``text`` per triggered detector, and the hints
        found per detector that named some."""
        if self._scanner is None:
            return {}, {}
        ends = self._scanner.ends(text)
        if not ends:
            return {}, {}
        found: Windows = {}
        hints: Hints = {}
        triggers = self._triggers
        for end, number in ends:
            if number >= triggers:
                owner, own = self._hint_of[number - triggers]
                hints.setdefault(owner, []).append((end, own))
                continue
            before, after = self.reach[number]
            lo = max(0, end - before)
            hi = min(len(text), end + after)
            slices = found.setdefault(self.ids[number], [])
            if slices and lo <= slices[-1][1] + BRIDGE:
                slices[-1] = (slices[-1][0], max(slices[-1][1], hi))
            else:
                slices.append((lo, hi))
        return found, hints

    def run(
        self, detectors: Sequence[Detector], windows: Windows
    ) -> Iterator[tuple[Detector, int]]:
        """The detectors of ``detectors`` to run on a text with ``windows``,
        in their order, each with how it is run (``WHOLE``, ``NORMALIZED`` or
        ``SLICES``): the untriggered ones, and the triggered ones whose
        trigger occurred. For the detectors this index was built from, from
        positions worked out once; for others, by looking at each."""
        if detectors is self._order or (
            len(detectors) == len(self._order) and all(map(operator.is_, detectors, self._order))
        ):
            if not windows:
                return (self._modes[p] for p in self._always)
            chosen = self._always + [p for key in windows for p in self._at.get(key, ())]
            chosen.sort()
            return (self._modes[p] for p in chosen)
        return self._each(detectors, windows)

    def _each(
        self, detectors: Sequence[Detector], windows: Windows
    ) -> Iterator[tuple[Detector, int]]:
        for detector in detectors:
            if id(detector) in self.triggered:
                if detector.id in windows:
                    yield detector, SLICES
            elif _reads_whole(detector):
                yield detector, NORMALIZED
            else:
                yield detector, WHOLE


# How ``run_detectors`` runs a detector: ``detect`` on the whole text, on the
# slices its trigger asks for, or ``detect_normalized``.
WHOLE, SLICES, NORMALIZED = range(3)

# Per detector (its ``id()``), where its hints end: ``(end, hint number)``, sorted.
Hints = dict[int, list[tuple[int, int]]]


def _reads_whole(detector: object) -> bool:
    """Whether ``detector`` has no trigger and reads the ``Normalized``."""
    return not getattr(detector, "trigger", None) and callable(
        getattr(detector, "detect_normalized", None)
    )


def _hints(detector: object) -> tuple[tuple[str, int], ...]:
    return tuple(getattr(detector, "hints", None) or ())


def literal(word: str) -> str:
    """A hyperscan expression (UTF-8 mode) matching ``word`` as it is."""
    return "".join(f"\\x{{{ord(c):x}}}" for c in word)


class Scanner:
    """A hyperscan database of ``expressions`` run over ``str`` text: where each
    match ends (``ends``) or lies (``spans``), in characters. One scratch space
    per thread (hyperscan's rule)."""

    def __init__(self, expressions: Sequence[str], flags: Sequence[int]) -> None:
        self._db = hyperscan.Database()
        self._db.compile(
            expressions=[e.encode("utf-8") for e in expressions],
            ids=list(range(len(expressions))),
            elements=len(expressions),
            flags=list(flags),
        )
        self._local = threading.local()

    def _scan(self, text: str) -> tuple[bytes, list[tuple[int, int, int]]]:
        """The UTF-8 text and its ``(start, end, expression number)`` matches in
        bytes (``start`` is 0 unless the expression has HS_FLAG_SOM_LEFTMOST)."""
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:
            scratch = self._local.scratch = hyperscan.Scratch(self._db)
        data = text.encode("utf-8", "surrogatepass")
        hits: list[tuple[int, int, int]] = []

        def on_match(number: int, start: int, end: int, flags: int, context: object) -> None:
            hits.append((start, end, number))

        self._db.scan(data, match_event_handler=on_match, scratch=scratch)
        return data, hits

    def ends(self, text: str) -> list[tuple[int, int]]:
        """``(end, expression number)`` of every match, sorted; ``end`` is a
        character offset into ``text``."""
        data, hits = self._scan(text)
        ends = sorted((end, number) for _, end, number in hits)
        if ends and len(data) != len(text):  # byte offsets to character offsets
            ends = _char_offsets(data, ends)
        return ends

    def spans(self, text: str) -> list[tuple[int, int, int]]:
        """``(start, end, expression number)`` of every match, in characters
        (expressions compiled with HS_FLAG_SOM_LEFTMOST, for the starts)."""
        data, hits = self._scan(text)
        if not hits or len(data) == len(text):
            return hits
        points = sorted({offset for start, end, _ in hits for offset in (start, end)})
        converted = _char_offsets(data, [(offset, 0) for offset in points])
        chars = {offset: char for offset, (char, _) in zip(points, converted, strict=True)}
        return [(chars[start], chars[end], number) for start, end, number in hits]


def _char_offsets(data: bytes, ends: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted ``(byte offset, id)`` pairs as ``(character offset, id)``."""
    if len(data) < _VECTOR_BYTES:
        # Each gap decoded once, so the text is decoded once.
        out: list[tuple[int, int]] = []
        previous_byte = previous_char = 0
        for end, number in ends:
            if end != previous_byte:
                previous_char += len(data[previous_byte:end].decode("utf-8", "surrogatepass"))
                previous_byte = end
            out.append((previous_char, number))
        return out
    # The character offset of byte b is how many bytes before it begin a
    # character (are not UTF-8 continuation bytes, 0b10xxxxxx): one vectorised
    # count instead of hundreds of decodes (0.22 -> 0.10 ms on 100 KB).
    begins = np.cumsum((np.frombuffer(data, dtype=np.uint8) & 0xC0) != 0x80)
    offsets = np.fromiter((end for end, _ in ends), dtype=np.int64, count=len(ends))
    chars = np.where(offsets > 0, begins[np.maximum(offsets - 1, 0)], 0)
    return list(zip(chars.tolist(), (number for _, number in ends), strict=True))


# From this many bytes on, ``_char_offsets`` counts with numpy (its setup costs
# more than decoding on short texts).
_VECTOR_BYTES = 16384


_indexes: dict[tuple[int, ...], tuple[tuple[Detector, ...], TriggerIndex]] = {}
_indexes_lock = threading.Lock()


def trigger_index(detectors: Sequence[Detector]) -> TriggerIndex:
    """The ``TriggerIndex`` of ``detectors``, built once per set of detectors."""
    key = tuple(map(id, detectors))
    entry = _indexes.get(key)
    if entry is None:
        with _indexes_lock:
            entry = _indexes.get(key)
            if entry is None:
                if len(_indexes) >= 64:
                    _indexes.clear()  # many ad-hoc detector sets: rebuild as needed
                # The detectors are kept with their index, so their ids stay theirs.
                entry = _indexes[key] = (tuple(detectors), TriggerIndex(detectors))
    return entry[1]


def _sliced(detector: Detector, text: str, windows: Windows) -> list[tuple[int, list[Finding]]]:
    """``(offset, findings)`` per slice ``detector`` must scan: its findings index
    the slice starting at ``offset``."""
    if not getattr(detector, "trigger", None):
        return [(0, detector.detect(text))]
    slices = windows.get(detector.id)
    if not slices:
        return []
    if len(slices) == 1 and slices[0] == (0, len(text)):
        return [(0, detector.detect(text))]
    return [(lo, detector.detect(text[lo:hi])) for lo, hi in slices]


def detect_in(detector: Detector, text: str, windows: Windows) -> list[Finding]:
    """``detector.detect(text)``, run only on the slices its ``trigger`` needs
    (``windows``: ``TriggerIndex.windows(text)``)."""
    return [
        Finding(f.kind, f.start + lo, f.end + lo, f.score, f.detector, f.message_index)
        for lo, found in _sliced(detector, text, windows)
        for f in found
    ]


def run_detectors(
    text: str | Normalized,
    detectors: Sequence[Detector],
    *,
    message_index: int | None = None,
    triggers: TriggerIndex | None = None,
    on_error: Callable[[Detector, Exception], NoReturn] | None = None,
) -> list[Finding]:
    """Normalise once, run every detector, and map findings to original offsets.

    ``triggers`` is the detectors' ``TriggerIndex`` if the caller keeps one
    (otherwise one is built and cached per set of detectors). An exception from
    a detector goes to ``on_error``, which must raise (the input guard fails
    closed and names the detector); without it, it propagates.
    """
    normalized = text if isinstance(text, Normalized) else normalize(text)
    index = triggers if triggers is not None else trigger_index(detectors)
    windows, hints = index.scan(normalized.text)
    raw: list[tuple[int, Finding]] = []
    # A triggered detector whose trigger does not occur is not run (most
    # detectors, most texts).
    for detector, how in index.run(detectors, windows):
        try:
            if how == NORMALIZED:
                typed = getattr(detector, "detect_normalized")  # noqa: B009
                if id(detector) in index.hinted:
                    found = typed(normalized, hints=hints.get(id(detector), []))
                else:
                    found = typed(normalized)
                raw.extend((0, f) for f in found)
                continue
            if how == WHOLE and id(detector) in index.hinted:
                hinted = hints.get(id(detector), [])
                found = detector.detect(normalized.text, hints=hinted)  # type: ignore[call-arg]
                raw.extend((0, f) for f in found)
                continue
            for lo, found_in_slice in _sliced(detector, normalized.text, windows):
                raw.extend((lo, f) for f in found_in_slice)
        except Exception as exc:
            if on_error is None:
                raise
            on_error(detector, exc)
    found = [
        Finding(f.kind, start, end, f.score, f.detector, message_index)
        for (_, f), (start, end) in zip(raw, _to_original(normalized, raw), strict=True)
    ]
    found.sort(key=lambda f: (f.start, -f.end, f.kind))
    return found


def _to_original(normalized: Normalized, raw: list[tuple[int, Finding]]) -> list[tuple[int, int]]:
    """``normalized.span_to_original`` of every ``(offset, finding)`` at once."""
    if len(raw) < 32:  # numpy's setup costs more than a few lookups
        return [normalized.span_to_original(lo + f.start, lo + f.end) for lo, f in raw]
    starts = np.fromiter((lo + f.start for lo, f in raw), dtype=np.int64, count=len(raw))
    ends = np.fromiter((lo + f.end for lo, f in raw), dtype=np.int64, count=len(raw))
    if not (ends > starts).all():  # an empty span somewhere: one at a time
        return [
            normalized.span_to_original(int(s), int(e)) for s, e in zip(starts, ends, strict=True)
        ]
    return list(
        zip(normalized.starts[starts].tolist(), normalized.ends[ends - 1].tolist(), strict=True)
    )
