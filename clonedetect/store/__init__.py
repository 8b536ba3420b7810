"""store: the baseline store (SQLite catalogue, Hamming and text indexes, thumbnails, baseline.toml).

A studio registers its games once (`BaselineStore.add`), then `clonedetect.scan` searches every suspect
against all of them through the indexes and compares the best candidates in full.

The names below are imported on first use (PEP 562 `__getattr__`), not with the package: the store's
modules pull in NumPy and SQLite, and modules that only need `store.serialise` or `store.cache` (the compare
cache, whose hit must start fast) would otherwise pay for all of it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clonedetect.store.baselines import (
        DEFAULT_STORE,
        STORE_ENV,
        AddResult,
        BaselineInfo,
        BaselineStore,
        PackageInfo,
        is_registered,
        store_root,
    )
    from clonedetect.store.common import COMMON_WEIGHT, common_weights
    from clonedetect.store.exchange import export_baseline, import_baseline
    from clonedetect.store.metadata import BaselineMetadata, read_labels_file
    from clonedetect.store.rank import Candidate, rank_baselines

# public name -> the submodule that defines it
_HOMES = {
    "DEFAULT_STORE": "baselines",
    "STORE_ENV": "baselines",
    "AddResult": "baselines",
    "BaselineInfo": "baselines",
    "BaselineStore": "baselines",
    "PackageInfo": "baselines",
    "is_registered": "baselines",
    "store_root": "baselines",
    "COMMON_WEIGHT": "common",
    "common_weights": "common",
    "export_baseline": "exchange",
    "import_baseline": "exchange",
    "BaselineMetadata": "metadata",
    "read_labels_file": "metadata",
    "Candidate": "rank",
    "rank_baselines": "rank",
}

__all__ = [
    "COMMON_WEIGHT",
    "DEFAULT_STORE",
    "STORE_ENV",
    "AddResult",
    "BaselineInfo",
    "BaselineMetadata",
    "BaselineStore",
    "Candidate",
    "PackageInfo",
    "common_weights",
    "export_baseline",
    "import_baseline",
    "is_registered",
    "rank_baselines",
    "read_labels_file",
    "store_root",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        # AttributeError (not another error) lets `from clonedetect.store import serialise` fall back to
        # importing the submodule
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
