"""Fixtures: the megallm-mock binary as a subprocess, and SDK clients on it."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from typing import Iterator

import anthropic
import pytest

API_KEY = "conformance-key"
MODEL = "claude-sonnet-4"


@pytest.fixture(autouse=True)
def _no_ambient_anthropic_config(monkeypatch: pytest.MonkeyPatch) -> None:
    # The SDK reads ANTHROPIC_* variables (base URL, keys, profiles): none
    # must leak in from the developer's shell and point a test elsewhere.
    for name in list(os.environ):
        if name.startswith("ANTHROPIC_"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def mock_url() -> Iterator[str]:
    binary = os.environ.get("MEGALLM_MOCK_BIN")
    if not binary:
        pytest.fail("MEGALLM_MOCK_BIN is not set: run the suite through scripts/conformance.sh")
    proc = subprocess.Popen(
        [binary, "--port", "0", "--api-key", API_KEY],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        prefix = "listening on "
        if not line.startswith(prefix):
            pytest.fail(f"megallm-mock did not start: first line {line!r}")
        yield line[len(prefix):]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Mock:
    """The mock's control endpoints."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def reset(self) -> None:
        req = urllib.request.Request(f"{self.base_url}/_mock/reset", method="POST", data=b"")
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 200

    def requests(self) -> list[dict]:
        with urllib.request.urlopen(f"{self.base_url}/_mock/requests", timeout=10) as resp:
            return json.load(resp)


@pytest.fixture
def mock(mock_url: str) -> Mock:
    m = Mock(mock_url)
    m.reset()
    return m


@pytest.fixture
def client(mock: Mock) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=API_KEY, base_url=mock.base_url, max_retries=0, timeout=30)
