"""Memory over a long run: does the gateway's resident memory stay flat?

One ``gwanmun serve`` process (every default check on, embedded model off) in
front of a stand-in upstream in this process that answers at once (named so:
the point is the gateway's own memory, not a model's). Mixed requests, each
with fresh values so no cache is ever hit twice by accident: a 1 KB Korean
notice with a name, a phone number and an e-mail; a 1 KB Japanese one with the
same; a short English question; a third of them streamed. ``--clients``
concurrent clients.

    python bench/speed/soak.py                      # 10,000 requests, bounded by --max-seconds
    python bench/speed/soak.py --requests 3000      # a shorter look

Printed: resident memory (VmRSS of the gateway process) when idle after start,
after the first request, and every 1,000 requests, each with the ratio to the
memory after 1,000 (the issue's bound: within 10% after 10,000); CPU seconds
per request; and any non-200 answer (there should be none). Only 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # bench.*, devtools.* as a script

from bench.speed.gateway_overhead import cpu_seconds, gwanmun_process, wait_ready, write_config
from devtools.ports import free_port

ANSWER = "요청하신 안내문 초안입니다. 내용을 확인해 주세요."
KO_NAMES = ("김민수", "이서연", "박지훈", "최유진", "정하늘", "강도윤", "조은비", "윤재원")
JA_NAMES = ("田中太郎", "佐藤花子", "鈴木一郎", "高橋美咲", "伊藤健", "渡辺由美")
KO_BODY = (
    "{name} 주무관님께, 지난주 접수된 민원과 관련하여 회신 초안을 부탁드립니다. 민원인은 "
    "도로 보수 공사로 인한 통행 불편과 소음 문제를 제기하였으며, 공사 기간과 우회 경로, "
    "야간 작업 여부를 문의하였습니다. 담당 부서의 확인 결과 공사는 {month}월 말까지 "
    "진행되며, 야간 작업은 하지 않습니다. 회신에는 공사 일정, 우회 경로 안내, 불편에 대한 "
    "사과, 추가 문의처를 포함해 주세요. 추가 문의는 {name} 주무관(전화 {phone}, 전자우편 "
    "{email})에게 하시면 됩니다. 문장은 정중하고 간결하게, 전문 용어는 풀어서 써 주십시오. "
    "참고로 지난해 같은 구간의 공사 때도 비슷한 민원이 여러 건 있었으므로, 재발 방지 대책도 "
    "한두 문장으로 언급해 주시면 좋겠습니다. 회신 기한은 접수일로부터 7일입니다."
)
JA_BODY = (
    "{name}様、先週受け付けた住民からの問い合わせへの回答案をお願いします。問い合わせは道路の"
    "補修工事による通行の不便と騒音についてで、工事期間、迂回路、夜間作業の有無を尋ねています。"
    "担当課の確認では、工事は{month}月末まで続き、夜間作業は行いません。回答には工事の日程、"
    "迂回路の案内、ご不便へのお詫び、追加の問い合わせ先を含めてください。問い合わせ先は{name}"
    "(電話 {phone}、メール {email})です。文章は丁寧かつ簡潔に、専門用語はかみ砕いて書いてください。"
    "昨年同じ区間の工事でも同様の問い合わせが複数あったため、再発防止策も一、二文で触れてください。"
)
EN_QUESTIONS = (
    "How many days does the office take to answer a complaint about road works ({n})?",
    "Summarise the rules for booking the community hall, version {n}.",
    "Draft one sentence thanking residents for their patience during works ({n}).",
)


def request_body(rng: random.Random, n: int) -> dict[str, Any]:
    kind = n % 3
    phone = f"010-{rng.randrange(2000, 9999)}-{rng.randrange(1000, 9999)}"
    email = f"user{rng.randrange(10**6)}@example.go.kr"
    if kind == 0:
        text = KO_BODY.format(
            name=rng.choice(KO_NAMES), month=rng.randrange(1, 13), phone=phone, email=email
        )
    elif kind == 1:
        jp_phone = f"03-{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}"
        text = JA_BODY.format(
            name=rng.choice(JA_NAMES), month=rng.randrange(1, 13), phone=jp_phone, email=email
        )
    else:
        text = rng.choice(EN_QUESTIONS).format(n=n)
    return {
        "model": "stand-in",
        "messages": [{"role": "user", "content": text}],
        "max_tokens": 32,
        "stream": n % 3 == 2 or n % 7 == 0,
    }


# --- the stand-in upstream ---------------------------------------------------------


async def _chat(request: Request) -> Response:
    body = json.loads(await request.body())
    # A fixed wait before answering, the same for every request (``start_upstream``).
    await asyncio.sleep(getattr(request.app.state, "latency_s", 0.0))
    created = int(time.time())
    if not body.get("stream"):
        # A word a token: a one-token request gets a one-word answer.
        words = ANSWER.split()[: max(1, int(body.get("max_tokens") or len(ANSWER)))]
        return JSONResponse(
            {
                "id": "chatcmpl-standin",
                "object": "chat.completion",
                "created": created,
                "model": body.get("model", "stand-in"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": " ".join(words)},
                        "finish_reason": "stop",
                    }
                ],
                "usage": {"prompt_tokens": 300, "completion_tokens": 12, "total_tokens": 312},
            }
        )

    async def events() -> Any:
        for i in range(0, len(ANSWER), 4):
            chunk = {
                "id": "chatcmpl-standin",
                "object": "chat.completion.chunk",
                "created": created,
                "model": "stand-in",
                "choices": [{"index": 0, "delta": {"content": ANSWER[i : i + 4]}}],
            }
            yield f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
        done = {
            "id": "chatcmpl-standin",
            "object": "chat.completion.chunk",
            "created": created,
            "model": "stand-in",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        }
        yield f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


async def _models(request: Request) -> Response:
    return JSONResponse({"object": "list", "data": [{"id": "stand-in", "object": "model"}]})


def start_upstream(port: int, latency_s: float = 0.0) -> uvicorn.Server:
    """The stand-in upstream on ``port``, in a thread of this process; each chat
    request is answered after ``latency_s`` (constant, unlike a model's)."""
    app = Starlette(
        routes=[
            Route("/v1/chat/completions", _chat, methods=["POST"]),
            Route("/v1/models", _models),
        ]
    )
    app.state.latency_s = latency_s
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server


# --- the run -------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


async def run(args: argparse.Namespace, base: str, pid: int) -> None:
    rng = random.Random(args.seed)
    bodies = (request_body(rng, n) for n in range(args.requests))
    failures: dict[int, int] = {}
    done = 0
    started = time.monotonic()
    samples: list[tuple[int, float]] = [(0, rss_mb(pid))]
    cpu0 = cpu_seconds(pid)
    lock = asyncio.Lock()

    async def client_loop(client: httpx.AsyncClient) -> None:
        nonlocal done
        while time.monotonic() - started < args.max_seconds:
            async with lock:
                body = next(bodies, None)
            if body is None:
                return
            if body["stream"]:
                async with client.stream("POST", "/chat/completions", json=body) as reply:
                    async for _ in reply.aiter_bytes():
                        pass
                    status = reply.status_code
            else:
                status = (await client.post("/chat/completions", json=body)).status_code
            if status != 200:
                failures[status] = failures.get(status, 0) + 1
            done += 1
            if done == 1 or done % 1000 == 0:
                samples.append((done, rss_mb(pid)))
                print(f"  {done:>6} requests  {samples[-1][1]:7.1f} MB", flush=True)

    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(args.clients)))
    elapsed = time.monotonic() - started
    cpu = cpu_seconds(pid) - cpu0
    print()
    print("| requests | resident MB | vs after 1,000 |")
    print("|---:|---:|---:|")
    at_1000 = next((mb for n, mb in samples if n == 1000), None)
    for n, mb in samples:
        label = "idle" if n == 0 else f"{n:,}"
        ratio = f"{mb / at_1000:.3f}" if at_1000 else "–"
        print(f"| {label} | {mb:.1f} | {ratio} |")
    print()
    print(
        f"{done:,} requests in {elapsed:.0f} s ({done / elapsed:.1f}/s), "
        f"{cpu / max(done, 1) * 1000:.1f} ms CPU per request, non-200: {failures or 'none'}"
    )
    if done < args.requests:
        print(f"stopped at --max-seconds {args.max_seconds:.0f} before {args.requests:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--max-seconds", type=float, default=3600)
    parser.add_argument("--seed", type=int, default=23)
    args = parser.parse_args()
    upstream_port, gateway_port = free_port(), free_port()
    upstream = start_upstream(upstream_port)
    with tempfile.TemporaryDirectory(prefix="gwanmun-soak-") as tmp:
        config = Path(tmp) / "gwanmun.json"
        write_config(
            config,
            gateway_port,
            embedded={"enabled": False},
            backends=[
                {
                    "name": "stand-in",
                    "base_url": f"http://127.0.0.1:{upstream_port}/v1",
                    "models": ["stand-in"],
                    "max_grade": "S",
                }
            ],
        )
        proc = gwanmun_process(config)
        try:
            wait_ready(f"http://127.0.0.1:{gateway_port}/readyz", proc)
            time.sleep(2)  # settle after start-up
            print(
                f"gateway pid {proc.pid}, {args.clients} clients, {os.cpu_count()} CPUs, "
                f"idle {rss_mb(proc.pid):.1f} MB"
            )
            asyncio.run(run(args, f"http://127.0.0.1:{gateway_port}/v1", proc.pid))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            upstream.should_exit = True


if __name__ == "__main__":
    main()
