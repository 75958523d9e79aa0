"""The PDF pool's workers die with the process that started them: a run killed with -9 leaves
no orphan workers behind."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.helpers import ROOT

SCRIPT = """
import sys
from billing.invoices.render import pdf_renderer
with pdf_renderer(10_000) as render_all:
    sys.path.insert(0, "bench")
    import pdf
    render_all([pdf.document(i) for i in range(4)])  # the workers exist once they have work
    import multiprocessing
    print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
    sys.stdin.read()
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie waiting for its reaper is gone too
        return f.read().split()[2] != "Z"


def test_killing_a_run_leaves_no_pdf_workers(tmp_path):
    if (os.cpu_count() or 1) < 2:
        pytest.skip("one core: the renderer starts no pool")
    run = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    workers = [int(p) for p in run.stdout.readline().split()]
    assert workers, "the pool started no workers"
    run.send_signal(signal.SIGKILL)
    run.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.2)
    assert not any(_alive(p) for p in workers)
