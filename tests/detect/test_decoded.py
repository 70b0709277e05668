"""Numbers a reader or a model decodes: spelled as English or Japanese words,
HTML character references, percent-escapes, digit groups in quotes — and every
disguise of ``gwanmun.detect.disguised`` (base64, hex, reversed, mixed
separators, native Korean numerals, fillers), all drawn from
devtools/obfuscate.ENCODINGS (issue 18)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devtools.obfuscate import ENCODINGS, FRAMES, GROUPS, encoded
from gwanmun.detect import run_detectors
from gwanmun.detect.builtin import builtin_detectors
from gwanmun.detect.decoded import decoders
from gwanmun.detect.glued import glued

STRUCTURED = builtin_detectors(structured_only=True)
# The decoders' ids, from what registers them (``gwanmun.detect.builtin``).
DECODERS = {d.id for d in decoders(())} | {glued(()).id}
_OUTER = "\"'`「」[]()"


@settings(max_examples=300, deadline=None)
@given(
    rng=st.randoms(use_true_random=False),
    kind=st.sampled_from(sorted(GROUPS)),
    how=st.sampled_from(sorted(ENCODINGS)),
)
def test_an_encoded_value_is_found_over_every_character_it_was_typed_in(
    rng: random.Random, kind: str, how: str
) -> None:
    written = encoded(rng, kind, how)
    before, after = rng.choice(FRAMES[kind])
    text = before + written.lead + written.typed + after
    core = written.typed.strip(_OUTER)  # a quote around the whole value tells nothing
    lo = len(before) + len(written.lead) + written.typed.index(core)
    hi = lo + len(core)
    found = run_detectors(text, STRUCTURED)
    assert any(f.kind == kind and f.start <= lo and hi <= f.end for f in found), (
        how,
        text,
        [(f.kind, text[f.start : f.end]) for f in found],
    )


@pytest.mark.parametrize(
    "text",
    [
        "We need one two three four five six volunteers for the event.",
        "Count: one, two, three, four, five, six, seven, eight, nine, ten!",
        'years = ["2019", "2020", "2021", "2022", "2023"]',
        'ids: "100234", "100235", "100236", "100237"',
        "AT&#38;T &#169; 2024 &#8212; all rights reserved",
        "https://example.com/search?q=budget%202024%20report%2012345",
        "いち、に、さん、よん、ご、ろく、なな、はち — 数え歌です",
        "会議は さんじ から ごじ まで です、よろしく",
        "`make test` ran 1507 tests in `1140` s",
    ],
)
def test_spelled_escaped_or_quoted_numbers_that_are_no_identifier_are_left_alone(
    text: str,
) -> None:
    assert [f for f in run_detectors(text, STRUCTURED) if f.detector in DECODERS] == []
