"""The benchmark's memory figures: PSS counts the pages forked processes share once."""

from __future__ import annotations

import os
import signal
import time

from benchmarks.procmem import pss_bytes, rss_bytes

BLOCK = 64 * 1024 * 1024


def test_pss_of_a_forked_worker_splits_the_pages_it_shares_with_its_parent() -> None:
    data = bytearray(os.urandom(1024)) * (BLOCK // 1024)  # touched: resident in the parent
    child = os.fork()
    if child == 0:  # the worker: shares `data` with the parent, never writes it
        time.sleep(30)
        os._exit(0)
    try:
        time.sleep(0.5)
        rss = rss_bytes(os.getpid()) + rss_bytes(child)
        pss = pss_bytes(os.getpid()) + pss_bytes(child)
        assert rss - pss > 0.8 * BLOCK  # the shared block is counted twice in RSS, once in PSS
        assert pss > BLOCK  # but it is counted
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    assert len(data) == BLOCK


def test_pss_of_a_single_process_is_at_most_its_rss() -> None:
    pss = pss_bytes(os.getpid())
    assert 0 < pss <= rss_bytes(os.getpid())
