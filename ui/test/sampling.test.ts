import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as fake from "../src/dev/fake-backend";
import { maxTokensCeiling, modelWindowText, readSampling, samplingFields, samplingHints } from "../src/lib/sampling";
import type { Settings } from "../src/types";

const t = (text: string, badInput = false) => ({ text, badInput });
const form = (extra: Partial<Parameters<typeof readSampling>[0]> = {}) => ({
  temperature: t(""),
  topP: t(""),
  topK: t(""),
  maxTokens: t(""),
  stopSequences: "",
  ...extra,
});

describe("reading the sampling panel", () => {
  test("empty fields are left out; stop sequences one a line, blank lines dropped", () => {
    assert.deepEqual(readSampling(form({ stopSequences: "END\n\n ###\n" })), {
      ok: true,
      sampling: { stop_sequences: ["END", " ###"] },
    });
  });
  test("numbers are read, a comma as the decimal point too", () => {
    const read = readSampling(form({ temperature: t("0,3"), topP: t(".9"), topK: t("40"), maxTokens: t("1024") }));
    assert.deepEqual(read, { ok: true, sampling: { temperature: 0.3, top_p: 0.9, top_k: 40, max_tokens: 1024, stop_sequences: [] } });
  });
  test("not a number, or not whole, says which field", () => {
    assert.deepEqual(readSampling(form({ temperature: t("warm") })), { ok: false, field: "temperature", message: "Temperature must be a number." });
    assert.deepEqual(readSampling(form({ topK: t("1.5") })), { ok: false, field: "top-k", message: "Top K must be a whole number." });
    assert.equal((readSampling(form({ maxTokens: t("", true) })) as { field: string }).field, "max-tokens");
  });
  test("ranges are the backend's to judge: 1.5 is read as it is", () => {
    assert.deepEqual(readSampling(form({ temperature: t("1.5") })), { ok: true, sampling: { temperature: 1.5, stop_sequences: [] } });
  });
  test("the fields for stored settings and for the Settings defaults", () => {
    assert.deepEqual(samplingFields({ temperature: 0.699999988, stop_sequences: ["a", "b"] }), {
      temperature: "0.7",
      topP: "",
      topK: "",
      maxTokens: "",
      stopSequences: "a\nb",
    });
    assert.equal(samplingFields({ max_tokens: 2048 } as Settings).maxTokens, "2048");
  });
});

describe("limits", () => {
  test("hints and the reply ceiling come from the backend's limits and the model list", async () => {
    const limits = await fake.samplingLimits();
    assert.equal(maxTokensCeiling({ id: "m", display_name: "m", messages_api: true, max_output_tokens: 8_000 }, limits), 8_000);
    assert.equal(maxTokensCeiling(undefined, limits), limits.max_tokens_fallback);
    const hints = samplingHints(limits, 8_000);
    assert.equal(hints.temperature, `${limits.temperature_min} to ${limits.temperature_max}`);
    assert.match(hints["max-tokens"], /8,000/);
    assert.match(hints["stop-sequences"], new RegExp(`up to ${limits.max_stop_sequences}`));
  });
  test("the model's window in words", () => {
    assert.equal(
      modelWindowText({ id: "m", display_name: "m", messages_api: true, context_window: 200_000, max_output_tokens: 64_000 }),
      "Context window: 200,000 tokens · replies up to 64,000",
    );
    assert.equal(modelWindowText({ id: "m", display_name: "m", messages_api: true }), null);
    assert.equal(modelWindowText(undefined), null);
  });
  test("the fake backend refuses out of range with a message", async () => {
    await assert.rejects(fake.updateConversationSettings(1, { model: "claude-sonnet-4-5", sampling: { temperature: 1.5 } }), (e: { message: string }) => /Temperature must be between/.test(e.message));
    const c = await fake.updateConversationSettings(1, { model: "claude-sonnet-4-5", sampling: { temperature: 0.2 } });
    assert.equal(c.sampling.temperature, 0.2);
  });
});
