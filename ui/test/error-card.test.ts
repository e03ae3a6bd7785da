import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { DEFAULT_RATE_LIMIT_WAIT_SECS, autoRetryText, errorCard, isPromptTooLong } from "../src/lib/error-card";
import type { AppError, ErrorCode } from "../src/types";

const err = (code: ErrorCode, message = "It failed.", extra: Partial<AppError> = {}): AppError => ({ code, message, ...extra });

describe("errorCard", () => {
  it("sends a key or address problem to Settings", () => {
    for (const code of ["auth", "config"] as const) {
      const card = errorCard(err(code), false);
      assert.deepEqual(card.actions, ["open_settings"]);
      assert.match(card.hint ?? "", /Settings/);
      assert.equal(card.autoRetrySecs, undefined);
    }
  });

  it("counts a rate limit down from the service's wait, then retries", () => {
    assert.equal(errorCard(err("rate_limit", "Slow down.", { retry_after_secs: 2.2 }), false).autoRetrySecs, 3);
    const unnamed = errorCard(err("rate_limit"), false);
    assert.equal(unnamed.autoRetrySecs, DEFAULT_RATE_LIMIT_WAIT_SECS);
    assert.deepEqual(unnamed.actions, ["retry"]);
  });

  it("offers Retry for what passes, continuing a reply that had text", () => {
    for (const code of ["overloaded", "server", "network", "timeout"] as const) {
      assert.deepEqual(errorCard(err(code), false).actions, ["retry"], code);
    }
    assert.equal(errorCard(err("server"), true).retryMode, "continue");
    assert.equal(errorCard(err("server"), false).retryMode, "regenerate");
  });

  it("points a prompt over the window at the gauge", () => {
    const long = err("invalid_request", "prompt is too long: 210000 tokens > 200000 maximum");
    assert.ok(isPromptTooLong(long));
    assert.deepEqual(errorCard(long, false).actions, ["show_context"]);
    assert.ok(!isPromptTooLong(err("invalid_request", "max_tokens: must be positive")));
    assert.deepEqual(errorCard(err("invalid_request", "max_tokens: must be positive"), false).actions, []);
  });

  it("words the countdown", () => {
    assert.equal(autoRetryText(11.2), "Trying again in 12 s.");
    assert.equal(autoRetryText(0), "Trying again…");
  });
});
