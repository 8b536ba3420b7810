"""Run inputs through a harness once, outside libFuzzer: reproduce a crash, or check a regression input.

    python -m fuzz.replay image crash-1234 oom-5678

Prints one line per input and exits 1 when one raised (the traceback is printed).
"""

from __future__ import annotations

import importlib
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2:
        print("usage: python -m fuzz.replay HARNESS FILE...", file=sys.stderr)
        return 2
    harness = importlib.import_module(f"fuzz.fuzz_{args[0]}")
    failed = False
    for name in args[1:]:
        data = Path(name).read_bytes()
        start = time.perf_counter()
        try:
            harness.one_input(data)
        except Exception:
            failed = True
            traceback.print_exc()
            print(f"{name}: RAISED after {time.perf_counter() - start:.2f} s")
            continue
        print(f"{name}: ok in {time.perf_counter() - start:.2f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
