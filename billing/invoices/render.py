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


@contextmanager
def pdf_renderer(count: int) -> Iterator[Callable[[list[Document]], list[bytes]]]:
    workers = min(os.cpu_count() or 1, 8)
    if count < POOL_FROM or workers < 2:
        yield lambda docs: [render(doc) for doc in docs]
        return
    # spawn, not fork: the parent holds database connections that children must not share
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_exit_with,
        initargs=(os.getpid(),),
    ) as pool:
        yield lambda docs: list(
            pool.map(render, docs, chunksize=max(1, len(docs) // (workers * 2)))
        )
