"""The worker processes of one clonedetect process: one pool, shared by fingerprinting and matching.

Both stages are CPU-bound NumPy/OpenCV work on many small independent items, so they fan out to the same
pool: it is started once (its workers import OpenCV and NumPy, about a second) and both analyses of a
compare and its matching reuse it. It is re-created when its size changes or a worker died.

Workers are spawned, never forked: a fork of a process whose OpenCV thread pool has run deadlocks in the
child's first OpenCV call. (A spawned child does not re-run a package's __main__.py.)
"""

from __future__ import annotations

import atexit
import multiprocessing
import multiprocessing.context
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

import cv2

from clonedetect.gc_tuning import collect_less_often

T = TypeVar("T")
R = TypeVar("R")


class Workers:
    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._jobs = 0

    def pool(self, jobs: int) -> ProcessPoolExecutor:
        if self._pool is None or self._jobs != jobs:
            self.close()
            self._pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context(), initializer=init_worker)
            self._jobs = jobs
        return self._pool

    def start(self, jobs: int) -> None:
        """Spawn the workers now without waiting for them."""
        pool = self.pool(jobs)
        for _ in range(jobs):
            pool.submit(os.getpid)

    def discard(self) -> None:
        """Forget a broken pool without waiting for it."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None


def context() -> multiprocessing.context.BaseContext:
    return multiprocessing.get_context("spawn")


def init_worker() -> None:
    cv2.setNumThreads(1)  # the pool is the parallelism; OpenCV's own threads would only contend
    collect_less_often()  # tasks arrive and leave as tens of thousands of pickled objects


WORKERS = Workers()
atexit.register(WORKERS.close)


def run_tasks(
    function: Callable[[T], R], tasks: Iterable[T], jobs: int, rerun: Callable[[T], R] | None = None
) -> Iterator[R]:
    """function(task) for each task, in order, on the pool; at most 2 x jobs tasks in flight (their
    arguments are pickled and held until a worker takes them). A worker's death fails every task in flight,
    not only the culprit's: each of those is run again by `rerun`, by default `function` in this process
    (right for functions that only read data this tool made itself, thumbnails and hashes: a crash there
    means the worker was killed for its memory, not that the input is hostile)."""
    pending: deque[tuple[Future[R], T]] = deque()

    def finish(future: Future[R], task: T) -> R:
        try:
            return future.result()
        except BrokenProcessPool:
            WORKERS.discard()
            return (rerun or function)(task)

    for task in tasks:
        try:
            pending.append((WORKERS.pool(jobs).submit(function, task), task))
        except BrokenProcessPool:
            WORKERS.discard()
            pending.append((WORKERS.pool(jobs).submit(function, task), task))
        if len(pending) >= 2 * jobs:
            yield finish(*pending.popleft())
    while pending:
        yield finish(*pending.popleft())
