import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { messageFacts } from "../src/lib/message-facts";
import type { MessageView } from "../src/types";

const reply = (extra: Partial<MessageView> = {}): MessageView => ({
  id: 2,
  role: "assistant",
  status: "complete",
  html: "",
  text: "",
  attachments: [],
  versions: [],
  created_at: 10_000,
  ...extra,
});

describe("messageFacts", () => {
  it("gives model, tokens, cache, cost, time to first token and pace", () => {
    const facts = messageFacts(
      reply({
        model: "claude-sonnet-4",
        usage: { input_tokens: 1234, output_tokens: 500, cache_read_input_tokens: 20_000, cache_creation_input_tokens: 0 },
        cost_usd: 0.0234,
        first_token_at: 10_800,
        finished_at: 20_800,
      }),
    );
    assert.deepEqual(facts, [
      "claude-sonnet-4",
      "1,234 in · 500 out",
      "cache 20,000 read",
      "~$0.02",
      "0.8 s to first token",
      "50 tokens/s",
    ]);
  });

  it("leaves out what the backend did not give", () => {
    assert.deepEqual(messageFacts(reply()), []);
    // A reply stopped before any text: no first token, no pace.
    assert.deepEqual(messageFacts(reply({ model: "m", usage: { input_tokens: 3, output_tokens: 0 } })), ["m", "3 in · 0 out"]);
    // A clock that went backwards is not a negative time.
    assert.deepEqual(messageFacts(reply({ first_token_at: 9_000 })), []);
  });
});
