"""The input guard through the real gateway (uvicorn on 127.0.0.1, the official
``openai`` client, the embedded model) and through ``gwanmun scan``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from tests.conftest import LiveGateway

GWANMUN = str(Path(sys.executable).with_name("gwanmun"))
MODEL = "smollm2-135m-instruct"
RRN = "900101-1234568"  # valid pre-2020 checksum
MY_NUMBER = "6214 9832 0257"


@pytest.fixture(scope="module")
def client(live: LiveGateway) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=live.base_url, api_key=live.key, max_retries=0) as c:
        yield c


def test_masked_request_is_answered_and_labelled(live: LiveGateway, client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": f"Caller's number is {RRN}."},
            {"role": "user", "content": "Say hello to the caller at 010-1234-5678."},
        ],
        max_tokens=8,
    )
    meta = reply.model_extra["gwanmun"] if reply.model_extra else {}
    assert meta["action"] == "mask" and meta["grade"] == "S"
    assert meta["masked_kinds"] == ["KR_RRN", "PHONE"]
    event = live.audit.events[-1]
    assert sorted({f.kind for f in event.findings}) == ["KR_RRN", "PHONE"]
    assert RRN not in json.dumps(event.as_dict(), ensure_ascii=False)


@pytest.mark.parametrize("stream", [False, True])
def test_blocked_request_is_an_openai_400(client: openai.OpenAI, stream: bool) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": f"マイナンバーは{MY_NUMBER}です。"}],
            max_tokens=8,
            stream=stream,
        )
    body = caught.value.body
    assert isinstance(body, dict) and body["code"] == "content_blocked"
    assert "6214" not in json.dumps(body, ensure_ascii=False)
    found = body["gwanmun"]["findings"][0]
    assert (found["kind"], found["start"], found["end"]) == ("JP_MY_NUMBER", 7, 21)


def test_scan_endpoint(live: LiveGateway) -> None:
    text = f"담당자 010-1234-5678, 주민번호 {RRN}"
    response = httpx.post(
        f"{live.base_url}/guard/scan",
        json={"text": text},
        headers={"Authorization": f"Bearer {live.key}"},
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["grade"] == "S" and data["action"] == "mask"
    spans = {(f["kind"], text[f["start"] : f["end"]]) for f in data["findings"]}
    assert {("PHONE", "010-1234-5678"), ("KR_RRN", RRN)} <= spans
    assert set(data["findings"][0]) >= {"kind", "start", "end", "score", "detector"}
    unauthenticated = httpx.post(f"{live.base_url}/guard/scan", json={"text": "x"})
    assert unauthenticated.status_code == 401
    bad = httpx.post(
        f"{live.base_url}/guard/scan",
        json={"txt": "x"},
        headers={"Authorization": f"Bearer {live.key}"},
    )
    assert bad.status_code == 400 and bad.json()["error"]["param"]


def _scan(args: list[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [GWANMUN, "scan", *args], input=stdin, capture_output=True, timeout=120, env=env
    )


def test_cli_scan_json_and_exit_codes(tmp_path: Path) -> None:
    masked = _scan(["-", "--json"], "전화 010-1234-5678로 연락".encode())
    assert masked.returncode == 0, masked.stderr
    data = json.loads(masked.stdout)
    assert data["action"] == "mask"
    assert [(f["kind"], f["start"], f["end"]) for f in data["findings"]] == [("PHONE", 3, 16)]

    doc = tmp_path / "memo.txt"
    doc.write_text(f"マイナンバー {MY_NUMBER}", encoding="utf-8")
    blocked = _scan([str(doc)])
    assert blocked.returncode == 2
    assert b"JP_MY_NUMBER" in blocked.stdout and b"block" in blocked.stdout

    latin1 = tmp_path / "legacy.txt"
    latin1.write_bytes("caf\xe9".encode("latin-1"))
    invalid = _scan([str(latin1)])
    assert invalid.returncode == 1 and b"not valid UTF-8" in invalid.stderr


def test_cli_policy_check(tmp_path: Path) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    good = subprocess.run(
        [GWANMUN, "policy", "check", "src/gwanmun/data/default_policy.yaml"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=Path(__file__).parents[1],
    )
    assert good.returncode == 0, good.stderr
    assert "KR_RRN" in good.stdout and "is valid" in good.stdout
    typo = tmp_path / "p.yaml"
    typo.write_text("version: 1\nkinds:\n  KR_RNN: {action: block}\n", encoding="utf-8")
    bad = subprocess.run(
        [GWANMUN, "policy", "check", str(typo)], capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 1 and "KR_RNN" in bad.stderr and "typo" in bad.stderr
