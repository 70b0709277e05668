"""An uploaded document's bytes: its name says which formats are accepted (the
bytes then say which reader), and errors name the upload, never the temporary
file it passed through."""

from __future__ import annotations

import pytest

from gwanmun.documents import extract_upload
from gwanmun.errors import InvalidRequest


def test_text_out_of_an_upload() -> None:
    assert extract_upload("회의록.TXT", "\ufeff회의는 금요일".encode()) == "회의는 금요일"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("setup.exe", b"MZ", "setup.exe: unsupported file type"),
        ("old.hwp", b"x", "old.hwp: not an HWP 5 document"),
        ("notes.hwp3", b"x", "notes.hwp3: unsupported file type"),
        ("memo.txt", "메모".encode("cp949"), "memo.txt"),
    ],
)
def test_errors_name_the_upload(name: str, data: bytes, message: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        extract_upload(name, data)
    assert caught.value.message.startswith(message)
    assert "gwanmun-doc-" not in caught.value.message
