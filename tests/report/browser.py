"""Headless Chromium (Debian's `chromium`) for the report tests: screenshot and DOM dump.

`make test` installs Chromium when it is missing and the user is root. Without it the browser
tests fail under CI (CI=true) and are skipped locally with a message saying how to get it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

NAMES = ("chromium", "chromium-browser")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)
TIMEOUT = 120


def chromium() -> str:
    """The Chromium executable; skips the test (fails under CI) when there is none."""
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    message = (
        "Chromium mangler: installer Debian-pakken «chromium» (apt-get install -y chromium); "
        "make test gjør det selv når den kjøres som root"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@dataclass(frozen=True)
class Run:
    stdout: str
    stderr: str

    @property
    def console(self) -> list[str]:
        """Messages the page wrote to the browser console (errors, failed loads)."""
        return [line for line in self.stderr.splitlines() if ":CONSOLE" in line]


def run(page: Path, profile: Path, *args: str, size: tuple[int, int] = (1200, 900)) -> Run:
    """Open `page` in a fresh profile with extra arguments; fails on a non-zero exit."""
    profile.mkdir(parents=True, exist_ok=True)
    command = [
        chromium(),
        *FLAGS,
        f"--user-data-dir={profile}",
        f"--window-size={size[0]},{size[1]}",
        *args,
        page.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return Run(done.stdout, done.stderr)


def screenshot(page: Path, png: Path, profile: Path, size: tuple[int, int]) -> Run:
    return run(page, profile, f"--screenshot={png}", size=size)


def dump_dom(page: Path, profile: Path) -> Run:
    return run(page, profile, "--dump-dom")
