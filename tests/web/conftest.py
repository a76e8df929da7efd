"""Browser tests: the whole stack (scripts/run.sh) + the demo site, driven by Debian's chromium.

The stack is started once per session by scripts/run.sh on free ports (benchmarks.devstack);
the tests that need a second demo site (pointing at a recorder) start it next to it.
Playwright only drives /usr/bin/chromium: no browser is ever downloaded.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from web_testkit import Stack

from benchmarks.devstack import StackError, free_port, running_stack, stop_group

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# The bot answers within seconds, but the machine's two cores are shared with model training.
expect.set_options(timeout=30_000)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def wait_http(url: str, process: subprocess.Popen[bytes] | None, seconds: float) -> bool:
    """Polls `url` until it answers 2xx; False if `process` died or time ran out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as answer:
            if 200 <= answer.status < 300:
                return True
        if process is not None and process.poll() is not None:
            return False
        time.sleep(0.25)
    return False


WebFactory = Callable[..., str]


def start_webdemo(
    log_dir: Path, rasa_url: str, portal_url: str, name: str
) -> tuple[str, subprocess.Popen[bytes]]:
    """Starts one demo site (python -m webdemo) on a free port; returns its URL and process."""
    port = free_port()
    env = {
        **os.environ,
        "WEB_PORT": str(port),
        "WEB_HOST": "127.0.0.1",
        "PORTAL_URL": portal_url,
        "PORTAL_PUBLIC_URL": portal_url,
        "RASA_PUBLIC_URL": rasa_url,
        "PYTHONPATH": str(ROOT),
        "CARPIMKO_DEMO": "1",  # the demo site exists only in demo mode
    }
    log = (log_dir / f"{name}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "webdemo"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    if not wait_http(f"{url}/health", process, 60):
        stop_group(process, signal.SIGTERM)
        pytest.fail(f"the demo site did not start:\n{(log_dir / f'{name}.log').read_text()}")
    return url, process


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """scripts/run.sh on free ports: portal, actions, Rasa and the demo site.

    WEB_TEST_STACK="web_url rasa_url portal_url" reuses a running stack instead (saves the
    minutes Rasa takes to load on a busy machine while iterating on the widget).
    """
    if os.environ.get("WEB_TEST_STACK"):
        web, rasa, portal = os.environ["WEB_TEST_STACK"].split()
        yield Stack(web, rasa, portal, tmp_path_factory.mktemp("log"))
        return
    try:
        with running_stack(tmp_path_factory.mktemp("webstack")) as running:
            yield Stack(running.web_url, running.rasa_url, running.portal_url, running.log_dir)
    except StackError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def extra_sites(stack: Stack) -> Iterator[WebFactory]:
    """Starts more demo sites pointing at another socket.io server (recorder, closed port)."""
    processes: list[subprocess.Popen[bytes]] = []

    def make(rasa_url: str, name: str) -> str:
        url, process = start_webdemo(stack.log_dir, rasa_url, stack.portal_url, name)
        processes.append(process)
        return url

    yield make
    for process in processes:
        stop_group(process, signal.SIGTERM)


@pytest.fixture(scope="session")
def recorder(stack: Stack) -> Iterator[tuple[str, Path]]:
    """Rasa's SocketIOInput with a recording bot (tests/web/recorder.py): URL and record file."""
    port = free_port()
    out = stack.log_dir / "recorded.jsonl"
    out.touch()
    log = (stack.log_dir / "recorder.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("recorder.py")), str(port), str(out)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    if not wait_http(f"{url}/webhooks/socketio/", process, 120):
        stop_group(process, signal.SIGTERM)
        pytest.fail("recorder did not start:\n" + (stack.log_dir / "recorder.log").read_text())
    yield url, out
    stop_group(process, signal.SIGTERM)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, through Playwright (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's `chromium` (make system-deps)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies, no storage) per test; French locale."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1024, "height": 768})
    context.set_default_timeout(30_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def recorder_site(extra_sites: WebFactory, recorder: tuple[str, Path]) -> tuple[str, Path]:
    """A demo site whose widget talks to the recorder: site URL and record file."""
    rasa_url, record = recorder
    return extra_sites(rasa_url, "webdemo-recorder"), record
