"""Run the upstream llama.cpp server (xllamacpp) as a process of its own.

Used as the "direct" baseline in bench/ and as a separate upstream in tests::

    python -m gwanmun.backends.llamacpp_process --model FILE.gguf --port 8081 \
        --api-key-file /run/user/1000/llama.key

It binds 127.0.0.1 only and runs until SIGTERM/SIGINT. Every call but
``/health`` must carry ``Authorization: Bearer <key>`` with
the key in ``--api-key-file`` (401 otherwise), so another local user cannot
use the model around the gateway's guard and audit. The key comes from a file,
not the command line, which every local user can read in the process list.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path

from gwanmun.backends.embedded import start_llama_server, wait_healthy


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="GGUF file (default: the packaged SmolLM2)")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--threads", type=int, default=0, help="0 (default): all cores but one")
    parser.add_argument("--ctx", type=int, default=8192)
    parser.add_argument(
        "--api-key-file",
        type=Path,
        required=True,
        help="file holding the key every call must send as 'Authorization: Bearer KEY'",
    )
    args = parser.parse_args(argv)
    try:
        api_key = args.api_key_file.read_text(encoding="utf-8").strip()
    except OSError as exc:
        parser.error(f"cannot read --api-key-file {args.api_key_file}: {exc.strerror}")
    if len(api_key) < 16:
        parser.error("the key in --api-key-file must be at least 16 characters")
    model = args.model
    if model is None:
        from gwanmun.modelfiles import packaged_default_model

        model = packaged_default_model()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = start_llama_server(
        model,
        port=args.port,
        n_parallel=args.parallel,
        n_threads=args.threads,
        n_ctx=args.ctx,
        api_key=api_key,
    )
    wait_healthy(args.port, timeout_s=120)
    print(f"ready http://127.0.0.1:{args.port}/v1", flush=True)
    stop.wait()
    del server


if __name__ == "__main__":
    main()
