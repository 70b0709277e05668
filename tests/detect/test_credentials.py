"""Secrets: known token formats, private keys, JWTs, passwords, random tokens."""

from __future__ import annotations

import pytest

from gwanmun.detect.credentials import Credentials
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
    ],
)
def test_secret_look_alikes(text: str) -> None:
    assert found(text, SECRETS) == []
