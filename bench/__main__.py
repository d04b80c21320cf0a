"""Run every benchmark module in turn and print its lines: `python -m bench [name ...]`.

A module joins by being listed in MODULES and exposing `run() -> list[str]`, the lines
to print (each figure next to its ratio against a baseline measured in the same run).
A module that fails is reported and the others still run; the exit status is then 1.
"""

from __future__ import annotations

import importlib
import sys
import time
import traceback

MODULES: tuple[str, ...] = (
    "bench.scoring",
    "bench.wizard",
    "bench.report",
    "bench.delivery_drill",
    "bench.completion",
    "bench.load",
    "bench.backoffice",
    "bench.peers",
    "bench.booking",
)


def main(argv: list[str]) -> int:
    """Run the modules named in argv (short names, e.g. `scoring`), or all of them."""
    short = {name.removeprefix("bench."): name for name in MODULES}
    unknown = sorted(set(argv) - set(short))
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(short)}",
            file=sys.stderr,
        )
        return 2
    failed = []
    for name in [short[arg] for arg in argv] or MODULES:
        started = time.perf_counter()
        print(f"== {name}", flush=True)
        try:
            lines = importlib.import_module(name).run()
        except Exception:
            traceback.print_exc()
            failed.append(name)
            continue
        for line in lines:
            print(line, flush=True)
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
