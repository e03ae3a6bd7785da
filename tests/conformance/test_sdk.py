"""The official `anthropic` SDK against megallm-mock: every response must be
accepted, streamed and non-streamed replies must agree, and errors must map
to the SDK's exception classes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import anthropic
import httpx2
import pytest

from conftest import API_KEY, MODEL, Mock

WEATHER_INPUT = {"location": "Paris, France", "unit": "celsius"}


def user(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def create(client: anthropic.Anthropic, prompt: str, **kwargs):
    return client.messages.create(model=MODEL, max_tokens=1024, messages=user(prompt), **kwargs)


def stream_final(client: anthropic.Anthropic, prompt: str, **kwargs):
    with client.messages.stream(model=MODEL, max_tokens=1024, messages=user(prompt), **kwargs) as stream:
        return stream.get_final_message()


def comparable(message) -> dict:
    data = message.model_dump()
    for block in data["content"]:
        if block.get("type") == "tool_use":
            block["id"] = None  # numbered per request
    return {k: data[k] for k in ("type", "role", "model", "content", "stop_reason", "stop_sequence", "usage")}


def test_create_echo(client):
    message = create(client, "Hello from the SDK")
    assert message.id.startswith("msg_mock_")
    assert message.type == "message"
    assert message.role == "assistant"
    assert message.model == MODEL
    assert len(message.content) == 1
    assert message.content[0].type == "text"
    assert message.content[0].text == "Echo: Hello from the SDK"
    assert message.stop_reason == "end_turn"
    assert message.stop_sequence is None
    assert message.usage.input_tokens == 5  # 18 chars
    assert message.usage.output_tokens == 5  # a token per word
    assert message.usage.cache_creation_input_tokens == 0
    assert message.usage.cache_read_input_tokens == 0


def test_stream_echo_text_events(client):
    with client.messages.stream(model=MODEL, max_tokens=1024, messages=user("Stream me please")) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(pieces) >= 3
    assert "".join(pieces) == "Echo: Stream me please"
    assert final.content[0].text == "Echo: Stream me please"


@pytest.mark.parametrize(
    "prompt",
    ["Hello twice", "[[markdown]]", "[[long:300]]", "[[tool]] weather?", "[[thinking]] ponder", "Привет 🚀 мир"],
)
def test_streamed_final_message_equals_created(client, prompt):
    created = create(client, prompt)
    streamed = stream_final(client, prompt)
    assert comparable(streamed) == comparable(created)


def test_stream_markdown(client):
    message = stream_final(client, "[[markdown]]")
    text = message.content[0].text
    assert 2000 <= len(text.encode()) <= 4000
    for needle in ("```rust", "```python", "| Model |", "Привет, мир!", "🚀", "> "):
        assert needle in text


def test_stream_tool_use(client):
    tools = [
        {
            "name": "get_weather",
            "description": "Current weather for a place",
            "input_schema": {"type": "object", "properties": {"location": {"type": "string"}}},
        }
    ]
    message = stream_final(client, "What is the weather? [[tool]]", tools=tools)
    assert message.stop_reason == "tool_use"
    assert [b.type for b in message.content] == ["text", "tool_use"]
    assert message.content[0].text == "Let me look that up."
    call = message.content[1]
    assert call.name == "get_weather"
    assert call.id.startswith("toolu_mock_")
    assert call.input == WEATHER_INPUT

    # The conversation continues with the tool result.
    follow_up = client.messages.create(
        model=MODEL,
        max_tokens=1024,
        tools=tools,
        messages=[
            {"role": "user", "content": "What is the weather? [[tool]]"},
            {"role": "assistant", "content": [b.model_dump(exclude_none=True) for b in message.content]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "18°C, sunny"}]},
        ],
    )
    assert follow_up.stop_reason == "end_turn"
    assert follow_up.content[0].text == "Echo: 18°C, sunny"


def test_stream_thinking(client):
    message = stream_final(client, "Think about it [[thinking]]")
    assert [b.type for b in message.content] == ["thinking", "text"]
    thinking = message.content[0]
    assert len(thinking.thinking) > 20
    assert len(thinking.signature) > 20


def test_thinking_enabled_by_request(client):
    def think(budget: int, max_tokens: int):
        return client.messages.create(
            model=MODEL,
            max_tokens=max_tokens,
            messages=user("plain"),
            thinking={"type": "enabled", "budget_tokens": budget},
        )

    message = think(1024, 2048)
    assert [b.type for b in message.content] == ["thinking", "text"]
    for budget, max_tokens, field in ((512, 2048, "budget_tokens"), (2048, 2048, "max_tokens")):
        with pytest.raises(anthropic.BadRequestError) as err:
            think(budget, max_tokens)
        assert err.value.body["error"]["type"] == "invalid_request_error"
        assert field in err.value.body["error"]["message"]


def test_stop_sequences(client):
    for message in (
        create(client, "alpha beta HALT gamma", stop_sequences=["HALT"]),
        stream_final(client, "alpha beta HALT gamma", stop_sequences=["HALT"]),
    ):
        assert message.content[0].text == "Echo: alpha beta "
        assert message.stop_reason == "stop_sequence"
        assert message.stop_sequence == "HALT"


def test_max_tokens(client):
    message = client.messages.create(model=MODEL, max_tokens=5, messages=user("[[long:100]]"))
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 5


def test_count_tokens(client):
    counted = client.messages.count_tokens(model=MODEL, messages=user("x" * 40), system="y" * 8)
    assert counted.input_tokens == 12
    assert create(client, "x" * 40, system="y" * 8).usage.input_tokens == 12


def test_wrong_key_is_authentication_error(mock):
    bad = anthropic.Anthropic(api_key="not-the-key", base_url=mock.base_url, max_retries=0)
    with pytest.raises(anthropic.AuthenticationError) as err:
        create(bad, "hi")
    assert err.value.status_code == 401
    assert err.value.body["error"]["type"] == "authentication_error"
    assert err.value.request_id and err.value.request_id.startswith("req_mock_")


def test_missing_max_tokens_via_sdk_post(client):
    with pytest.raises(anthropic.BadRequestError) as err:
        client.post("/v1/messages", cast_to=object, body={"model": MODEL, "messages": user("hi")})
    assert err.value.status_code == 400
    assert err.value.body["type"] == "error"
    assert err.value.body["error"]["type"] == "invalid_request_error"
    assert err.value.body["error"]["message"] == "max_tokens: Field required"


def test_missing_max_tokens_raw_http(mock):
    req = urllib.request.Request(
        f"{mock.base_url}/v1/messages",
        method="POST",
        data=json.dumps({"model": MODEL, "messages": user("hi")}).encode(),
        headers={"x-api-key": API_KEY, "anthropic-version": "2023-06-01", "content-type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 400
    body = json.load(err.value)
    assert body["type"] == "error"
    assert body["error"] == {"type": "invalid_request_error", "message": "max_tokens: Field required"}
    assert body["request_id"] == err.value.headers["request-id"]


def test_overloaded_is_internal_server_error(client, mock):
    with pytest.raises(anthropic.InternalServerError) as err:
        create(client, "busy? [[fault:529]]")
    assert err.value.status_code == 529
    assert isinstance(err.value, anthropic.OverloadedError)
    assert err.value.body["error"]["type"] == "overloaded_error"
    assert len(mock.requests()) == 1, "max_retries=0: no retry"


def test_rate_limit_then_retry_succeeds(mock):
    retrying = anthropic.Anthropic(api_key=API_KEY, base_url=mock.base_url, max_retries=2)
    message = create(retrying, "again [[fault:429 times=1 retry_after=0]]")
    assert message.content[0].text == "Echo: again [[fault:429 times=1 retry_after=0]]"
    attempts = [r for r in mock.requests() if r["path"] == "/v1/messages"]
    assert [r["status"] for r in attempts] == [429, 200]
    assert attempts[0]["body"] == attempts[1]["body"]
    assert attempts[1]["headers"].get("x-stainless-retry-count") == "1"


def test_retry_after_ms_is_honoured(mock):
    retrying = anthropic.Anthropic(api_key=API_KEY, base_url=mock.base_url, max_retries=1)
    message = create(retrying, "[[fault:500 times=1 retry_after_ms=50]] later")
    assert message.stop_reason == "end_turn"
    assert [r["status"] for r in mock.requests()] == [500, 200]


def test_should_retry_false_stops_retries(mock):
    retrying = anthropic.Anthropic(api_key=API_KEY, base_url=mock.base_url, max_retries=2)
    with pytest.raises(anthropic.RateLimitError):
        create(retrying, "[[fault:429 should_retry=false]]")
    assert len(mock.requests()) == 1


def test_error_event_mid_stream(client):
    seen = []
    with pytest.raises(anthropic.APIStatusError) as err:
        with client.messages.stream(
            model=MODEL, max_tokens=1024, messages=user("[[fault:error-event after=3]] [[long:50]]")
        ) as stream:
            for text in stream.text_stream:
                seen.append(text)
    # The SDK maps an `error` event by the HTTP status (200), so it is the
    # base APIStatusError carrying the event's body.
    assert type(err.value) is anthropic.APIStatusError
    assert err.value.body == {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    assert len(seen) == 3, "the deltas before the error were delivered"


def test_dropped_stream_surfaces_as_a_protocol_error(client):
    # Once the 200 arrived the SDK no longer wraps transport errors: a cut
    # mid-body reaches the caller as the HTTP library's own exception.
    seen = []
    with pytest.raises(httpx2.RemoteProtocolError):
        with client.messages.stream(
            model=MODEL, max_tokens=1024, messages=user("[[fault:drop after=3]] [[long:50]]")
        ) as stream:
            for text in stream.text_stream:
                seen.append(text)
    assert len(seen) == 3


def test_models_list_pages(client, mock):
    models = list(client.models.list(limit=2))
    assert sorted(m.id for m in models) == sorted(
        ["claude-opus-4-1-20250805", "claude-3.5-sonnet", "claude-3.7-sonnet", "claude-sonnet-4"]
    )
    assert all(m.type == "model" and m.display_name for m in models)
    pages = [r for r in mock.requests() if r["path"] == "/v1/models"]
    assert len(pages) == 2
    assert "after_id=" in (pages[1]["query"] or "")
    retrieved = client.models.retrieve("claude-sonnet-4")
    assert retrieved.id == "claude-sonnet-4"


def test_unknown_model_is_not_found(client):
    with pytest.raises(anthropic.NotFoundError) as err:
        client.messages.create(model="claude-nonexistent", max_tokens=10, messages=user("hi"))
    assert err.value.body["error"]["message"] == "model: claude-nonexistent"


def test_megallm_error_shape_maps_by_status(client):
    with pytest.raises(anthropic.AuthenticationError) as err:
        create(client, "[[fault:401 shape=megallm]]")
    assert err.value.body == {
        "error": {"message": "Invalid authentication credentials", "type": "invalid_request_error", "code": "invalid_api_key"}
    }


def test_proxy_html_page_is_a_server_error(client):
    with pytest.raises(anthropic.InternalServerError) as err:
        create(client, "[[fault:502html]]")
    assert err.value.status_code == 502
    assert "502 Bad Gateway" in str(err.value.body)
