"""What every harness shares: the repository on sys.path, seeding a corpus, and starting atheris.

A harness is a module `fuzz/fuzz_<name>.py`, run from the repository as `python -m fuzz.fuzz_<name>`, with
`one_input(data: bytes) -> None`, which calls a parser and lets
only the parser's documented errors pass: any other exception, a hang past libFuzzer's -timeout or memory past
-rss_limit_mb is a crash. The seed corpus is generated at run time from the sample games (seeds.py), so no
corpus is committed.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

OneInput = Callable[[bytes], None]
Seeds = Callable[[], dict[str, bytes]]


def write_seeds(folder: Path, seeds: dict[str, bytes]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in sorted(seeds.items()):
        (folder / name).write_bytes(data)


def _has_corpus(argv: list[str]) -> bool:
    return any(not argument.startswith("-") for argument in argv[1:])


def fuzz_main(one_input: OneInput, seeds: Seeds) -> None:
    """Run libFuzzer on one_input with sys.argv's options; seed a temporary corpus when none is given."""
    import atheris

    argv = list(sys.argv)
    if not _has_corpus(argv):
        corpus = Path(tempfile.mkdtemp(prefix="clonedetect-fuzz-"))
        write_seeds(corpus, seeds())
        argv.append(str(corpus))
        print(f"seed corpus (grows as libFuzzer runs; delete when done): {corpus}", file=sys.stderr)
    atheris.Setup(argv, one_input)
    atheris.Fuzz()
