"""store: the baseline store (SQLite catalogue, Hamming and text indexes, thumbnails, baseline.toml).

A studio registers its games once (`BaselineStore.add`), then `clonedetect.scan` searches every suspect
against all of them through the indexes and compares the best candidates in full.
"""

from __future__ import annotations

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
