"""Rendering many PDFs at once: on every core for a large run, in this process for a few."""

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from billing.invoices.document import Document
from billing.invoices.pdf import render

POOL_FROM = 200  # below this many documents, starting worker processes costs more than it saves


def _exit_with(parent: int) -> None:
    """In each worker: exit as soon as the process that started the pool is gone (killed with
    -9, say), rather than living on as an orphan holding memory."""
    import threading
    import time

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


Pending = Callable[[], list[bytes]]  # waits for a submitted group's PDFs, in order


class _InProcess:
    """A few documents: rendered as they are submitted, in this process."""

    def submit(self, docs: list[Document]) -> Pending:
        pdfs = [render(doc) for doc in docs]
        return lambda: pdfs

    def __call__(self, docs: list[Document]) -> list[bytes]:
        return self.submit(docs)()


class _Pool(_InProcess):
    """Many documents: rendered on every core. `submit` returns at once, so the caller can store
    one batch while the pool renders the next."""

    def __init__(self, pool: ProcessPoolExecutor, workers: int):
        self.pool, self.workers = pool, workers

    def submit(self, docs: list[Document]) -> Pending:
        size = max(1, -(-len(docs) // (self.workers * 2)))  # two chunks per worker: even ends
        futures = [
            self.pool.submit(_render_many, docs[i : i + size]) for i in range(0, len(docs), size)
        ]
        return lambda: [pdf for future in futures for pdf in future.result()]


def _render_many(docs: list[Document]) -> list[bytes]:
    return [render(doc) for doc in docs]


@contextmanager
def pdf_renderer(count: int) -> Iterator[_InProcess]:
    """A renderer for `count` documents: `renderer(docs)` renders and waits;
    `renderer.submit(docs)` starts them and returns a call that waits for them."""
    workers = min(os.cpu_count() or 1, 8)
    if count < POOL_FROM or workers < 2:
        yield _InProcess()
        return
    # spawn, not fork: the parent holds database connections that children must not share
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_exit_with,
        initargs=(os.getpid(),),
    ) as pool:
        yield _Pool(pool, workers)
