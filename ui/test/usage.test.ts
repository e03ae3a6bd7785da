import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { costCell, limitLines, periodDays, summarize } from "../src/lib/usage";
import type { UsageRecord } from "../src/types";

const NOW = Date.UTC(2026, 11, 3, 15, 0, 0);
const rec = (day: string, model: string, extra: Partial<UsageRecord> = {}): UsageRecord => ({
  day,
  model,
  messages: 1,
  input_tokens: 100,
  output_tokens: 50,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  unpriced_messages: 0,
  cost_usd: 0.01,
  ...extra,
});

describe("usage", () => {
  it("lists every day of the period, oldest first", () => {
    assert.deepEqual(periodDays(3, NOW), ["2026-12-01", "2026-12-02", "2026-12-03"]);
  });

  it("sums days and models, empty days as zero", () => {
    const s = summarize(
      [
        rec("2026-12-01", "claude-sonnet-4"),
        rec("2026-12-03", "claude-sonnet-4", { messages: 2, input_tokens: 1000, cache_read_input_tokens: 500, cost_usd: 0.02 }),
        rec("2026-12-03", "claude-opus-4-1-20250805", { cost_usd: undefined, unpriced_messages: 1 }),
        rec("2026-11-01", "old", {}),
      ],
      3,
      NOW,
    );
    assert.deepEqual(
      s.days.map((d) => [d.day, d.tokens]),
      [["2026-12-01", 150], ["2026-12-02", 0], ["2026-12-03", 1550 + 150]],
    );
    const sonnet = s.models.find((m) => m.model === "claude-sonnet-4");
    assert.ok(sonnet);
    assert.equal(sonnet.messages, 3);
    assert.equal(sonnet.inputTokens, 1100);
    assert.equal(sonnet.cacheReadTokens, 500);
    assert.equal(Math.round(sonnet.costUsd * 100), 3);
    assert.equal(s.totalTokens, 1850);
    assert.ok(s.partialCost, "a reply without a price");
    assert.equal(s.models[0]?.model, "claude-sonnet-4", "the busiest model first");
  });

  it("says a cost is partial or unknown", () => {
    assert.equal(costCell({ costUsd: 0.123, unpriced: 0, messages: 2 }), "~$0.12");
    assert.equal(costCell({ costUsd: 0.123, unpriced: 1, messages: 2 }), "≥ ~$0.12");
    assert.equal(costCell({ costUsd: 0, unpriced: 2, messages: 2 }), "—");
  });

  it("words the rate limits the service reported", () => {
    assert.deepEqual(limitLines(null), []);
    assert.deepEqual(
      limitLines({ requests: { limit: 50, remaining: 48 }, tokens: { remaining: 1000 }, output_tokens: {} }),
      ["Requests: 48 of 50 left", "Tokens: 1,000 left"],
    );
  });
});
