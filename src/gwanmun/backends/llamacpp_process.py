"""Run the upstream llama.cpp server (xllamacpp) as a process of its own.

Used as the "direct" baseline in bench/ and as a separate upstream in tests::

    python -m gwanmun.backends.llamacpp_process --model FILE.gguf --port 8081

It binds 127.0.0.1 only and runs until SIGTERM/SIGINT.
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
    args = parser.parse_args(argv)
    model = args.model
    if model is None:
        from gwanmun.modelfiles import packaged_default_model

        model = packaged_default_model()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    server = start_llama_server(
        model, port=args.port, n_parallel=args.parallel, n_threads=args.threads, n_ctx=args.ctx
    )
    wait_healthy(args.port, timeout_s=120)
    print(f"ready http://127.0.0.1:{args.port}/v1", flush=True)
    stop.wait()
    del server


if __name__ == "__main__":
    main()
