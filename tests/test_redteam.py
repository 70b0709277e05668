"""The input guard against a determined user (issue 18), judged by what the model
would have read.

The real gateway under uvicorn on 127.0.0.1, driven by the official ``openai``
client, forwards to a recording upstream (``ScriptedUpstream``, a stand-in: the
point is what reaches it). Hypothesis writes valid identifiers the way a person
could still read them — other numerals, look-alike digits, any separator,
digits one by one, invisible characters — and puts them in any message role,
in content parts or in an attachment. The assertion is on every body the
upstream received: none holds the value's digits in any form a reader would
recognise (read back through the guard's own normalisation), nor an invisible
character. A request the guard refuses reaches nobody, which also passes.
"""

from __future__ import annotations

import base64
import binascii
import html
import itertools
import json
import random
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import openai
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools.obfuscate import (
    ENCODINGS,
    FRAMES,
    IN_PIECES,
    MAKERS,
    REGROUPABLE,
    RENDERINGS,
    SPELLED_FRAMES,
    WRITTEN_OUT,
    encoded,
    generate,
    rrn_since_2020,
    spelled_email,
    spelled_marking,
    write,
)
from gwanmun.services import build_services
from gwanmun.text import normalize
from gwanmun.types import Role
from tests.servers import running_gateway
from tests.upstream import MODEL, ScriptedUpstream, scripted_settings

# Kinds the default policy masks or blocks (a business number is only warned about).
KINDS = ("KR_RRN", "JP_MY_NUMBER", "PHONE", "CREDIT_CARD")
RUNS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Invisible characters a user may hide a value behind: zero-width, bidi controls,
# word joiner, BOM, soft hyphen, variation selectors, Unicode TAG characters.
INVISIBLE = (
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u2066",
    "\u2069", "\ufe0f", "\U000e0041", "\U000e0031", "\U000e007f", "\u180e", "\u061c",
)  # fmt: skip


@dataclass
class Rig:
    upstream: ScriptedUpstream
    client: openai.OpenAI


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    upstream = ScriptedUpstream()
    config = scripted_settings(
        upstream,
        tmp_path_factory.mktemp("redteam"),
        rate_limits={"user_requests_per_minute": 100_000, "group_requests_per_minute": 100_000},
    )
    services = build_services(config)
    key, _ = services.keys.create("redteam", group="qa", role=Role.USER)
    try:
        with running_gateway(config, services) as base_url:
            client = openai.OpenAI(base_url=base_url, api_key=key, max_retries=0)
            yield Rig(upstream, client)
            client.close()
    finally:
        services.keys.close()
        upstream.stop()


def _texts(value: Any) -> Iterator[str]:
    """Every string (keys too) in a decoded JSON body."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _texts(v)
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v)


def _readable_digits(text: str) -> str:
    """The digits a reader sees in ``text``: the guard's normalised view (other
    numerals, look-alikes, separators) with everything but digits removed."""
    return re.sub(r"[^0-9]", "", normalize(text).text)


_EN_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_KANA = {
    "ぜろ": 0, "れい": 0, "ゼロ": 0, "まる": 0, "いち": 1, "イチ": 1, "に": 2, "ニ": 2,
    "さん": 3, "サン": 3, "よん": 4, "ヨン": 4, "ご": 5, "ゴ": 5, "ろく": 6, "ロク": 6,
    "なな": 7, "ナナ": 7, "しち": 7, "はち": 8, "ハチ": 8, "きゅう": 9, "キュウ": 9,
}  # fmt: skip
_SPOKEN = re.compile(
    r"(?i)\b(?:" + "|".join(_EN_DIGITS) + r")\b|" + "|".join(sorted(_KANA, key=len, reverse=True))
)


def _decoded_digits(text: str) -> str:
    """The digits a reader decodes from ``text`` (this test's own reading, not
    the guard's): character references and percent-escapes decoded, digits
    spelled in English or Japanese read, quotes and everything else dropped."""
    text = urllib.parse.unquote(html.unescape(text))
    spoken = _SPOKEN.sub(
        lambda m: str(
            _EN_DIGITS.index(m.group().lower()) if m.group().isascii() else _KANA[m.group()]
        ),
        text,
    )
    return re.sub(r"[^0-9]", "", spoken)


def _send(rig: Rig, messages: list[dict[str, Any]], **extra: Any) -> bool:
    """Send; whether the gateway accepted (a refusal is a 400 from the guard)."""
    try:
        rig.client.chat.completions.create(
            model=MODEL,
            messages=messages,
            max_tokens=8,
            **extra,  # type: ignore[arg-type]
        )
    except openai.BadRequestError:
        return False
    return True


def _assert_unread(rig: Rig, before: int, value: str, how: str) -> None:
    for body in rig.upstream.received[before:]:
        seen = _readable_digits(" ".join(_texts(body)))
        assert value not in seen, (how, json.dumps(body, ensure_ascii=False)[:400])
        for text in _texts(body):
            hidden = [c for c in text if c in INVISIBLE]
            assert not hidden, (how, [hex(ord(c)) for c in hidden])


def _placed(value_text: str, where: str, rng: random.Random) -> dict[str, Any]:
    """The request pieces that carry ``value_text``: messages and maybe attachments."""
    if where == "attachment":
        return {
            "messages": [{"role": "user", "content": "첨부 문서를 요약해 주세요."}],
            "extra_body": {"attachments": [{"name": "명단.txt", "text": value_text}]},
        }
    if where == "parts":
        cut = rng.randrange(len(value_text) + 1)
        parts = [
            {"type": "text", "text": value_text[:cut]},
            {"type": "text", "text": value_text[cut:]},
        ]
        return {"messages": [{"role": "user", "content": parts}]}
    messages: list[dict[str, Any]] = [{"role": "user", "content": "다음 내용을 정리해 줘."}]
    messages.insert(0 if where == "system" else 1, {"role": where, "content": value_text})
    if where == "assistant":
        messages.append({"role": "user", "content": "계속해 줘."})
    return {"messages": messages}


@RUNS
@given(
    kind=st.sampled_from(KINDS),
    rng=st.randoms(use_true_random=False),
    where=st.sampled_from(("user", "system", "assistant", "parts", "attachment")),
    frame=st.integers(min_value=0, max_value=2),
)
def test_no_obfuscated_identifier_reaches_the_model(
    rig: Rig, kind: str, rng: random.Random, where: str, frame: int
) -> None:
    written = generate(rng, kind)
    before, after = FRAMES[kind][frame % len(FRAMES[kind])]
    request = _placed(before + written.typed + after, where, rng)
    count = len(rig.upstream.received)
    _send(rig, request["messages"], extra_body=request.get("extra_body"))
    _assert_unread(rig, count, written.value, f"{kind}: {written.how} in {where}")


@RUNS
@given(
    kind=st.sampled_from(KINDS),
    rng=st.randoms(use_true_random=False),
    how=st.sampled_from(WRITTEN_OUT),
    where=st.sampled_from(("user", "system", "assistant", "parts", "attachment")),
    frame=st.integers(min_value=0, max_value=2),
)
def test_a_number_spelled_escaped_or_quoted_never_reaches_the_model(
    rig: Rig, kind: str, rng: random.Random, how: str, where: str, frame: int
) -> None:
    """Digits as English or Japanese words, HTML character references,
    percent-escapes, groups in quotes: what the model reads, decoded as a
    reader decodes it, holds none of the value."""
    written = encoded(rng, kind, how)
    before, after = FRAMES[kind][frame % len(FRAMES[kind])]
    request = _placed(before + written.typed + after, where, rng)
    count = len(rig.upstream.received)
    _send(rig, request["messages"], extra_body=request.get("extra_body"))
    for body in rig.upstream.received[count:]:
        read = " ".join(_texts(body))
        assert written.value not in _decoded_digits(read), (how, written.typed, read[:400])


_B64_TOKEN = re.compile(r"[A-Za-z0-9+/_\-]{8,}")
_HEX_RUN = re.compile(r"(?:\\x|0[xX]|[0-9A-Fa-f:,\-]){12,}")
_NATIVE = {
    "하나": 1, "둘": 2, "셋": 3, "넷": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8,
    "아홉": 9, "영": 0, "공": 0, "빵": 0, "零": 0, "壱": 1, "壹": 1, "弐": 2, "貳": 2,
    "参": 3, "參": 3, "肆": 4, "伍": 5, "陸": 6, "漆": 7, "柒": 7, "捌": 8, "玖": 9,
    "〇": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_NATIVE_WORD = re.compile("|".join(sorted(_NATIVE, key=len, reverse=True)))


def _unpacked(text: str) -> Iterator[str]:
    """``text``, then the text of every base64 token and hex run in it decoded
    at each alignment — in ``text`` and with single spaces between letters and
    digits dropped (a token split over two content parts is read joined)."""
    yield text
    yield re.sub(r"\\u([0-9A-Fa-f]{4})", lambda m: chr(int(m.group(1), 16)), text)
    for joined in (text, _ONE_SPACE.sub("", text)):
        yield from _base64_decoded(joined)
    yield from _hex_decoded(re.sub(r"\s", "", text))


# A space between two letters or digits (content parts are read space-joined).
_ONE_SPACE = re.compile(r"(?<=[0-9A-Za-z+/=]) (?=[0-9A-Za-z+/\\])")


def _base64_decoded(text: str) -> Iterator[str]:
    for token in _B64_TOKEN.findall(text):
        core = token.replace("-", "+").replace("_", "/")
        for skip in range(4):
            body = core[skip:]
            try:
                raw = base64.b64decode(body + "=" * (-len(body) % 4))
            except binascii.Error:
                continue
            yield raw.decode("utf-8", "replace")


def _hex_decoded(text: str) -> Iterator[str]:
    for run in _HEX_RUN.findall(text):
        pairs = re.sub(r"\\x|0[xX]|[^0-9A-Fa-f]", "", run)
        for skip in (0, 1):
            body = pairs[skip:]
            yield bytes.fromhex(body[: len(body) // 2 * 2]).decode("utf-8", "replace")


def _recovered_digits(text: str) -> list[str]:
    """What a reader recovers from ``text`` (this test's own reading): its
    bytes decoded wherever they are base64 or hex, native Korean and formal
    numerals read,
    then the digits as ``_decoded_digits`` reads them — fillers, letters and
    separators between them dropped — and each backwards too."""
    digits = [
        _decoded_digits(_NATIVE_WORD.sub(lambda m: str(_NATIVE[m.group()]), spaced))
        for piece in _unpacked(text)
        for spaced in (piece, re.sub(r"\s", "", piece))  # 하 나: a word over two parts
    ]
    return digits + [d[::-1] for d in digits]


@RUNS
@given(
    kind=st.sampled_from(KINDS),
    rng=st.randoms(use_true_random=False),
    how=st.sampled_from([h for h in ENCODINGS if h not in WRITTEN_OUT]),
    where=st.sampled_from(("user", "system", "assistant", "parts", "attachment")),
    frame=st.integers(min_value=0, max_value=2),
)
def test_a_number_encoded_reversed_regrouped_or_said_natively_never_reaches_the_model(
    rig: Rig, kind: str, rng: random.Random, how: str, where: str, frame: int
) -> None:
    """The value's bytes (or a whole sentence's) in base64 or hex, its digits
    reversed after a word asking for it, regrouped with mixed separators, said
    as native Korean numerals, written as formal numerals, or with a filler or
    letters between them: what the model reads, decoded and reversed as a
    reader would, holds none of it."""
    written = encoded(rng, kind, how)
    before, after = FRAMES[kind][frame % len(FRAMES[kind])]
    request = _placed(before + written.lead + written.typed + after, where, rng)
    count = len(rig.upstream.received)
    _send(rig, request["messages"], extra_body=request.get("extra_body"))
    for body in rig.upstream.received[count:]:
        read = " ".join(_texts(body))
        for digits in _recovered_digits(read):
            assert written.value not in digits, (how, written.typed, read[:400])


@RUNS
@given(
    rng=st.randoms(use_true_random=False),
    hidden=st.lists(st.sampled_from(INVISIBLE), min_size=1, max_size=6),
)
def test_invisible_characters_never_reach_the_model(
    rig: Rig, rng: random.Random, hidden: list[str]
) -> None:
    """Hidden characters are removed from what is forwarded, not only from what
    is scanned — with a masked value among them, the mask still lands on it."""
    written = generate(rng, "KR_RRN")
    text = "주민등록번호 " + written.typed + " 그리고 평범한 문장"
    for char in hidden:  # scattered through the value and the words around it
        at = rng.randrange(len(text) + 1)
        text = text[:at] + char + text[at:]
    count = len(rig.upstream.received)
    _send(rig, [{"role": "user", "content": text}], stop=["\u200b끝"])
    _assert_unread(rig, count, written.value, written.how)
    for body in rig.upstream.received[count:]:
        forwarded = body["messages"][0]["content"]
        assert "그리고 평범한 문장" in forwarded  # the rest is what the user wrote


@RUNS
@given(key=st.text(min_size=1, max_size=20).filter(lambda k: not k.strip().isdigit()))
def test_logit_bias_keys_that_are_not_token_ids_are_refused(rig: Rig, key: str) -> None:
    count = len(rig.upstream.received)
    accepted = _send(rig, [{"role": "user", "content": "안녕"}], logit_bias={key: 1})
    assert not accepted
    assert len(rig.upstream.received) == count


def test_logit_bias_with_token_ids_is_forwarded(rig: Rig) -> None:
    count = len(rig.upstream.received)
    assert _send(rig, [{"role": "user", "content": "안녕"}], logit_bias={"1234": 5, "7": -100})
    assert rig.upstream.received[count]["logit_bias"] == {"1234": 5, "7": -100}


@RUNS
@given(
    kind=st.sampled_from(KINDS),
    rng=st.randoms(use_true_random=False),
    roles=st.sampled_from((("user", "user"), ("assistant", "user"), ("system", "user"))),
)
def test_a_value_split_across_two_messages_is_masked_in_both(
    rig: Rig, kind: str, rng: random.Random, roles: tuple[str, str]
) -> None:
    written = generate(rng, kind)
    before, after = FRAMES[kind][rng.randrange(len(FRAMES[kind]))]
    cut = rng.randrange(1, len(written.typed))
    messages = [
        {"role": roles[0], "content": before + written.typed[:cut]},
        {"role": roles[1], "content": written.typed[cut:] + after},
    ]
    count = len(rig.upstream.received)
    _send(rig, messages)
    _assert_unread(rig, count, written.value, f"{kind}: {written.how}, cut at {cut}")


@RUNS
@given(
    kind=st.sampled_from(KINDS),
    rng=st.randoms(use_true_random=False),
    pieces=st.integers(min_value=3, max_value=5),
    roles=st.lists(st.sampled_from(("user", "assistant", "system")), min_size=5, max_size=5),
)
def test_a_value_split_across_three_or_more_messages_is_masked_in_every_one(
    rig: Rig, kind: str, rng: random.Random, pieces: int, roles: list[str]
) -> None:
    written = generate(rng, kind)
    before, after = FRAMES[kind][rng.randrange(len(FRAMES[kind]))]
    cuts = sorted(rng.sample(range(1, len(written.typed)), pieces - 1))
    bounds = [0, *cuts, len(written.typed)]
    texts = [written.typed[a:b] for a, b in itertools.pairwise(bounds)]
    texts[0], texts[-1] = before + texts[0], texts[-1] + after
    messages = [{"role": role, "content": text} for role, text in zip(roles, texts, strict=False)]
    messages[-1]["role"] = "user"
    count = len(rig.upstream.received)
    _send(rig, messages)
    _assert_unread(rig, count, written.value, f"{kind}: {written.how}, cut at {cuts}")


@RUNS
@given(
    kind=st.sampled_from(sorted(REGROUPABLE)),
    rng=st.randoms(use_true_random=False),
    joint=st.sampled_from(("-", " ", ".")),
    sizes=st.lists(st.integers(min_value=1, max_value=5), min_size=3, max_size=6),
)
def test_a_value_regrouped_into_any_group_sizes_never_reaches_the_model(
    rig: Rig, kind: str, rng: random.Random, joint: str, sizes: list[int]
) -> None:
    value = MAKERS[kind](rng)
    cuts = sorted({min(sum(sizes[: i + 1]), len(value) - 1) for i in range(len(sizes) - 1)})
    groups = [value[a:b] for a, b in itertools.pairwise([0, *cuts, len(value)])]
    written = joint.join(g for g in groups if g)
    before, after = FRAMES[kind][rng.randrange(len(FRAMES[kind]))]
    count = len(rig.upstream.received)
    _send(rig, [{"role": "user", "content": before + written + after}])
    _assert_unread(rig, count, value, f"{kind}: {written!r}")


@RUNS
@given(
    kind=st.sampled_from(("KR_RRN", "JP_MY_NUMBER")),
    rng=st.randoms(use_true_random=False),
    cut=st.integers(min_value=2, max_value=10),
    between=st.sampled_from(
        (" 이고 뒷자리는 ", ", 後半は ", " 그리고 나머지는 ", "\n뒤: ", " and the rest is ")
    ),
)
def test_a_value_named_in_parts_never_reaches_the_model(
    rig: Rig, kind: str, rng: random.Random, cut: int, between: str
) -> None:
    # A resident number issued since October 2020 has no check digit: a
    # quarter of them.
    since_2020 = kind == "KR_RRN" and rng.random() < 0.25
    value = rrn_since_2020(rng) if since_2020 else MAKERS[kind](rng)
    rendered = write(rng, kind, value)  # each piece in the same rendering
    name = "생년월일과 주민번호 " if kind == "KR_RRN" else "マイナンバーの前半は "
    typed = rendered.typed
    head, tail = typed[: _position(typed, cut)], typed[_position(typed, cut) :]
    count = len(rig.upstream.received)
    _send(rig, [{"role": "user", "content": name + head + between + tail + " 입니다"}])
    _assert_unread(rig, count, value, f"{kind}: {head!r} / {tail!r}")


@RUNS
@given(
    kind=st.sampled_from(("KR_RRN", "JP_MY_NUMBER")),
    rng=st.randoms(use_true_random=False),
    cut=st.integers(min_value=2, max_value=10),
    between=st.sampled_from(("뒷자리는 ", "後半は ", "나머지는 ", "뒤: ", "and the rest is ")),
    roles=st.sampled_from((("user", "user"), ("assistant", "user"), ("user", "assistant"))),
)
def test_a_value_named_in_parts_over_two_messages_never_reaches_the_model(
    rig: Rig, kind: str, rng: random.Random, cut: int, between: str, roles: tuple[str, str]
) -> None:
    since_2020 = kind == "KR_RRN" and rng.random() < 0.25  # no check digit
    value = rrn_since_2020(rng) if since_2020 else MAKERS[kind](rng)
    rendered = write(rng, kind, value)
    name = "생년월일과 주민번호 " if kind == "KR_RRN" else "マイナンバーの前半は "
    typed = rendered.typed
    head, tail = typed[: _position(typed, cut)], typed[_position(typed, cut) :]
    messages = [
        {"role": roles[0], "content": "확인 부탁드립니다. " + name + head},
        {"role": roles[1], "content": between + tail + " 입니다"},
    ]
    if roles[1] != "user":
        messages.append({"role": "user", "content": "위 내용을 정리해 주세요"})
    count = len(rig.upstream.received)
    _send(rig, messages)
    _assert_unread(rig, count, value, f"{kind}: {head!r} / {tail!r} over {roles}")


@RUNS
@given(
    kind=st.sampled_from(("KR_RRN", "JP_MY_NUMBER")),
    rng=st.randoms(use_true_random=False),
    layout=st.sampled_from(("| {} |", "{}", "{}")),
    joint=st.sampled_from((" | ", ",", "\t")),
    # A cell ending in a digit next to a half (2024-03-01 | 1234568): the
    # next test.
    fillers=st.lists(st.sampled_from(("가나다", "총무과", "山田", "주무관 A", "3층 회의실", "")),
                     min_size=1, max_size=3),
    rendering=st.sampled_from(("ascii", "fullwidth", "circled", "bold")),
)  # fmt: skip
def test_a_value_in_table_cells_apart_never_reaches_the_model(
    rig: Rig,
    kind: str,
    rng: random.Random,
    layout: str,
    joint: str,
    fillers: list[str],
    rendering: str,
) -> None:
    """A value in two cells of one row with other cells between (no word names
    it): a pasted table, CSV or spreadsheet row."""
    value = MAKERS[kind](rng)
    cut = 6 if kind == "KR_RRN" else rng.choice((4, 8))
    head, tail = (
        "".join(RENDERINGS[rendering](d) for d in part) for part in (value[:cut], value[cut:])
    )
    joint = " | " if layout.startswith("|") else joint
    row = layout.format(joint.join([head, *fillers, tail]))
    header = layout.format(joint.join(["a", *(f"c{i}" for i in range(len(fillers))), "b"]))
    count = len(rig.upstream.received)
    _send(rig, [{"role": "user", "content": f"아래 표를 정리해 주세요\n{header}\n{row}"}])
    _assert_unread(rig, count, value, f"{kind}: {row!r}")


@RUNS
@given(
    made=st.sampled_from(sorted(IN_PIECES)),
    rng=st.randoms(use_true_random=False),
    where=st.sampled_from(("user", "system", "assistant", "parts", "attachment")),
)
def test_a_value_in_pieces_the_normaliser_does_not_join_never_reaches_the_model(
    rig: Rig, made: str, rng: random.Random, where: str
) -> None:
    """devtools/obfuscate.IN_PIECES: a resident number's front half as a birth
    date written or said as a date (``1990년 1월 1일``, ``구십년 일월 일일생``,
    ``1990.1.1``) beside its back half; halves in cells of one row with a
    cell ending in a digit between them (``900101 | 2024-03-01 | 1234568``).
    The pieces' digits are never one run, so the model must not have read
    any piece as typed (the back half's digits, the date's words)."""
    written = IN_PIECES[made](rng)
    request = _placed(written.text, where, rng)
    count = len(rig.upstream.received)
    _send(rig, request["messages"], extra_body=request.get("extra_body"))
    how = f"{made}: {written.text!r} ({written.how}) in {where}"
    _assert_unread(rig, count, written.value, how)
    for body in rig.upstream.received[count:]:
        sent = " ".join(_texts(body))
        seen = _readable_digits(sent)
        for lo, hi in written.pieces:
            piece = written.text[lo:hi]
            assert piece.strip(" .-") not in sent, (how, piece, sent[:400])
            digits = _readable_digits(piece)
            if len(digits) >= 7:  # a half's digits; a date said aloud has none
                assert digits not in seen, (how, piece, sent[:400])


def _position(typed: str, cut: int) -> int:
    """Where in ``typed`` the ``cut``-th digit (as read) ends."""
    for end in range(len(typed) + 1):
        if len(_readable_digits(typed[:end])) >= cut:
            return end
    return len(typed)


@RUNS
@given(rng=st.randoms(use_true_random=False), where=st.sampled_from(("user", "system", "parts")))
def test_an_e_mail_spelled_with_at_and_dot_words_never_reaches_the_model(
    rig: Rig, rng: random.Random, where: str
) -> None:
    written = spelled_email(rng)
    before, after = SPELLED_FRAMES["EMAIL"][rng.randrange(len(SPELLED_FRAMES["EMAIL"]))]
    request = _placed(before + written.typed + after, where, rng)
    local = written.value.split("@")[0]
    count = len(rig.upstream.received)
    _send(rig, request["messages"])
    for body in rig.upstream.received[count:]:
        assert local not in json.dumps(body, ensure_ascii=False), written.how


@RUNS
@given(rng=st.randoms(use_true_random=False), where=st.sampled_from(("user", "system", "parts")))
def test_a_spelled_out_grade_c_marking_never_reaches_a_grade_s_backend(
    rig: Rig, rng: random.Random, where: str
) -> None:
    written = spelled_marking(rng, grade_c_only=True)
    before, after = SPELLED_FRAMES["MARKING"][rng.randrange(len(SPELLED_FRAMES["MARKING"]))]
    request = _placed(before + written.typed + after, where, rng)
    count = len(rig.upstream.received)
    accepted = _send(rig, request["messages"])
    assert not accepted, f"{written.typed!r} ({written.how}) was sent to a grade-S backend"
    assert len(rig.upstream.received) == count
