"""Secrets: known token formats, private keys, JWTs, passwords, random tokens."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gwanmun.detect.credentials import (
    _ASSIGNMENT,
    _ASSIGNMENT_STARTS,
    _CASED,
    _JWT,
    _KNOWN,
    _TOKEN,
    Credentials,
    _assignments,
    _matches_at,
    _scan,
    _token_runs,
    literal_starts,
)
from tests.detect.helpers import found

SECRETS = Credentials()
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghijklmnopqr"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("key AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
        ("ghp_" + "a1B2" * 9, "ghp_" + "a1B2" * 9),
        ("token xoxb-123456789012-abcdefABCDEF", "xoxb-123456789012-abcdefABCDEF"),
        ("OPENAI sk-proj-AbCdEfGhIjKlMnOpQrStUv12", "sk-proj-AbCdEfGhIjKlMnOpQrStUv12"),
        (
            "AIza" + "Sy" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
            "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
        ),
        (f"Authorization: Bearer {JWT}", JWT),
        ("password=Hunter2!x", "Hunter2!x"),
        ("비밀번호: qwer1234 입니다", "qwer1234"),
        ("パスワードは abc12345", "abc12345"),
        ("postgres://admin:s3cr3t@db.lan/app", "admin:s3cr3t"),
        ("gwk_0123456789ab_AbCdEfGhIjKlMnOpQrSt", "gwk_0123456789ab_AbCdEfGhIjKlMnOpQrSt"),
        ("token 7Fq9ZxLp2VbN8sKd4RtW1yHc6JmQ0uEa", "7Fq9ZxLp2VbN8sKd4RtW1yHc6JmQ0uEa"),
        # the short forms and the particles people write (missed before)
        ("PW: Qwer1234!", "Qwer1234!"),
        ("ID/pw=admin9!", "admin9!"),
        ("비번은 qwer1234", "qwer1234"),
        ("비밀번호 Qwer1234!", "Qwer1234!"),
        ("비밀번호가 Qwer1234!이에요", "Qwer1234!"),
        ("비밀번호를 Qwer1234!로 변경", "Qwer1234!"),
        ("passwd Hunter22!", "Hunter22!"),
        ("password:\tHunter22!", "Hunter22!"),
        ("'password' => 'Hunter22!'", "Hunter22!"),
        ("パスワードはQwer1234!です", "Qwer1234!"),  # the value ends where the kana begin
    ],
)
def test_secrets(text: str, expected: str) -> None:
    assert expected in [v for _, v in found(text, SECRETS)]


def test_private_key_block() -> None:
    text = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAbc=\n-----END RSA PRIVATE KEY-----\nok"
    assert found(text, SECRETS) == [("SECRET", text[: text.index("\nok")])]


@pytest.mark.parametrize(
    "text",
    [
        "commit 3f786850e387550fdab836ed7e6dc881de23001b",  # hex digest
        "uuid 123e4567-e89b-12d3-a456-426614174000",
        "the password policy was updated",
        "eyJub3QiOiJqd3QifQ.eyJ4IjoxfQ.abcdefghijkl",  # header without alg
        "Internationalization and localization",
        "비밀번호를 잊으셨나요?",
        # sentences about passwords, which were blocked as SECRET
        "비밀번호는 주기적으로 변경해야 합니다.",
        "비밀번호는 주민번호 뒷자리입니다",
        "パスワードは定期的に変更してください。",
        "暗証番号は他人に教えないでください。",
        "The password is required for login.",
        "Password is incorrect, please retry",
        "token is expired",
        "password: ********",  # already hidden
        "비밀번호: ****",
        "upward 12345 steps",  # pw inside a word
    ],
)
def test_secret_look_alikes(text: str) -> None:
    assert found(text, SECRETS) == []


_PIECES = st.sampled_from(
    ["password", "PASS", "Pwd", "secret", "api_key", "API-KEY", "access_token", "token", "비밀번호",
     "パスワード", "암호", "=", ": ", " is ", "는 ", "'", '"', " ", "\n", "hunter2", "x9", "İ", "ı",
     "ſ", "\u212a", "가", ",", "passcode", "ap", "_key", "pa", "sword", "ss"]
)  # fmt: skip
_TRICKY = [
    "password=token=hunter22",  # a keyword inside a match is not a new match
    "PASSWORD: Hunter22 and Api-Key = zz99",
    "apı_key=hunter22",  # the regex folds ı to i; lower() does not
    "paſsword=hunter22",  # ſ to s likewise
    "İ password=hunter22",  # lower() makes İ two characters
    "toKen=hunter22",  # the Kelvin sign folds to k
    "passpassword=abcd1234",
]


def _same_as_plain_regex(text: str) -> None:
    # _assignments tries the pattern only where a keyword starts; it must agree
    # with running the pattern over the whole text, case folding and all.
    expected = [m.span("value") for m in _ASSIGNMENT.finditer(text)]
    assert [m.span("value") for m in _assignments(text)] == expected


@pytest.mark.parametrize("text", _TRICKY)
def test_assignments_are_found_as_the_plain_regex_finds_them(text: str) -> None:
    assert list(_ASSIGNMENT.finditer(text))
    _same_as_plain_regex(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=24).map("".join))
def test_assignments_agree_with_the_plain_regex_on_any_mix(text: str) -> None:
    _same_as_plain_regex(text)


def _find_all(text: str, words: Iterable[str], offset: int = 0) -> set[int]:
    """Where each of ``words`` occurs in ``text``, minus ``offset`` (by str.find)."""
    starts: set[int] = set()
    for word in words:
        at = text.find(word)
        while at >= 0:
            starts.add(at - offset)
            at = text.find(word, at + 1)
    return starts


_TOKEN_PIECES = st.sampled_from(
    ["AKIA", "ASIA", "ghp_", "gho_", "gh", "github_pat_", "xoxb-", "sk-", "sk-proj-", "AIza",
     "rk_live_", "sk_test_", "k_live_", "gwk_", "0123456789ab", "_", "-----BEGIN ", "RSA ",
     "PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----", "eyJ", "eyJhbGciOiJIUzI1NiJ9", ".",
     "ABCDEFGHIJKLMNOP", "aB3dE5gH7jK9mN1pQ3sT5", " ", "\n", "x", "가"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKEN_PIECES, max_size=20).map("".join))
def test_known_formats_agree_with_the_plain_regexes_on_any_mix(text: str) -> None:
    for pattern, _, literals, offset in (*_KNOWN, (_JWT, 0.0, ("eyJ",), 0)):
        expected = [m.span() for m in pattern.finditer(text)]
        found_at = _matches_at(pattern, text, _find_all(text, literals, offset))
        assert [m.span() for m in found_at] == expected, pattern.pattern


# The token pattern as first written, with lookarounds; the shipped one leaves
# them out so the engine can skip ahead (a greedy run from the leftmost start).
_TOKEN_WITH_LOOKAROUNDS = re.compile(
    r"(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_=-]{24,}(?![A-Za-z0-9+/_=-])"
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_TOKEN_PIECES, max_size=20).map("".join))
def test_token_runs_are_the_lookaround_pattern_s(text: str) -> None:
    expected = [m.span() for m in _TOKEN_WITH_LOOKAROUNDS.finditer(text)]
    assert [m.span() for m in _TOKEN.finditer(text)] == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, _TOKEN_PIECES), max_size=24).map("".join))
def test_literal_starts_are_where_str_find_finds_them(text: str) -> None:
    starts = literal_starts(text)
    for word in _CASED:
        assert starts.get(word, set()) == _find_all(text, (word,)), word
    if any(c in text for c in "ıſ\u212aİ"):
        return  # the assignment words are then matched by the plain regex
    for word in _ASSIGNMENT_STARTS:
        assert starts.get(word, set()) == _find_all(text.lower(), (word,)), word


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, _TOKEN_PIECES, st.just("\ud800")), max_size=24).map("".join))
def test_token_runs_are_tried_exactly_where_the_token_regex_matches(text: str) -> None:
    expected = [m.span() for m in _TOKEN.finditer(text)]
    assert [m.span() for m in _token_runs(text, _scan(text)[1])] == expected


def test_a_pgp_private_key_block_is_a_secret() -> None:
    text = (
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQOYBFabc123XYZabc123XYZ\n=abcd\n"
        "-----END PGP PRIVATE KEY BLOCK-----\nok"
    )
    assert found(text, SECRETS) == [("SECRET", text[: text.index("\nok")])]


def test_the_trigger_pass_finds_the_literals_as_the_detector_does() -> None:
    """``run_detectors`` hands the detector where its literals end from the
    trigger pass (``hints``): the same as its own scan, and so the same
    findings."""
    import random

    from gwanmun.detect import TriggerIndex
    from gwanmun.detect.builtin import builtin_detectors
    from gwanmun.detect.credentials import _LITERALS, _WORDS

    detectors = builtin_detectors(structured_only=True)
    index = TriggerIndex(detectors)
    credentials = next(d for d in detectors if d.id == "credentials")
    rng = random.Random(18)
    pieces = [*_WORDS, "PASSWORD", "=", ": ", " ", "가", "é", "ı", "x" * 30, "aB3" * 9, "eyJhbGci"]
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12)))
        _, hints = index.scan(text)
        ends = hints.get(id(credentials), [])
        assert ends == _LITERALS.ends(text)
        assert credentials.detect(text, hints=ends) == credentials.detect(text)
