"""The oracle: for each scripted reply, the official SDK's get_final_message()
and `megallm ask --json` against the same server agree on content,
stop_reason and usage."""

from __future__ import annotations

import json
import os
import subprocess

import anthropic
import pytest

from conftest import API_KEY, MODEL

PROMPTS = [
    "plain echo, with Unicode: привет 👋",
    "a long answer [[markdown]]",
    "call a tool [[tool]]",
    "think first [[thinking]]",
    "many words [[long:300]]",
]


def cli_final_message(base_url: str, prompt: str, *extra: str) -> dict:
    binary = os.environ.get("MEGALLM_CLI_BIN")
    if not binary:
        pytest.fail("MEGALLM_CLI_BIN is not set: run the suite through scripts/conformance.sh")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "MEGALLM_API_KEY": API_KEY,
        "MEGALLM_BASE_URL": base_url,
        "MEGALLM_DATA_DIR": os.environ.get("TMPDIR", "/tmp") + "/megallm-oracle",
    }
    out = subprocess.run(
        [binary, "ask", "--json", "--no-save", "--model", MODEL, "--max-tokens", "1024", *extra, prompt],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def comparable(message: dict) -> tuple:
    # Tool-use ids are minted per request (as the real service does): compare
    # that each is present, not its value.
    content = []
    for block in message["content"]:
        block = dict(block)
        if block.get("type") == "tool_use":
            assert block.pop("id", "").startswith("toolu_")
        content.append(block)
    return (content, message["stop_reason"], message["stop_sequence"], message["usage"])


@pytest.mark.parametrize("prompt", PROMPTS)
def test_cli_json_equals_sdk_final_message(client: anthropic.Anthropic, mock, prompt: str) -> None:
    with client.messages.stream(model=MODEL, max_tokens=1024, messages=[{"role": "user", "content": prompt}]) as s:
        sdk = s.get_final_message().model_dump(mode="json", exclude_none=True)
    ours = cli_final_message(mock.base_url, prompt)
    assert ours["type"] == "message" and ours["role"] == "assistant"
    sdk.setdefault("stop_sequence", None)
    assert comparable(ours) == comparable(sdk)


def test_stop_sequence_agrees(client: anthropic.Anthropic, mock) -> None:
    prompt = "stop early [[long:80]]"
    with client.messages.stream(
        model=MODEL, max_tokens=1024, stop_sequences=["river"], messages=[{"role": "user", "content": prompt}]
    ) as s:
        sdk = s.get_final_message().model_dump(mode="json", exclude_none=True)
    ours = cli_final_message(mock.base_url, prompt, "--stop", "river")
    sdk.setdefault("stop_sequence", None)
    assert comparable(ours) == comparable(sdk)
