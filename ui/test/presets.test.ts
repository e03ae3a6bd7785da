import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as fake from "../src/dev/fake-backend";
import { checkSystemPrompt, isOffer, newPreset, offeredPresets, presetFor, presetNameProblem, promptSummary } from "../src/lib/presets";
import type { Preset, SamplingLimits } from "../src/types";

const preset = (id: string, offer: Preset["offer"], prompt = "Do it."): Preset => ({
  id,
  name: id,
  system_prompt: `You are ${id}.`,
  prompt,
  offer,
  builtin: false,
});

describe("one-click analyses", () => {
  const all = [preset("any", "any_file"), preset("code", "code_file"), preset("never", "never"), preset("empty", "any_file", " ")];
  test("nothing without files", () => {
    assert.deepEqual(offeredPresets(all, []), []);
  });
  test("any file offers the any-file presets; code adds the code ones", () => {
    assert.deepEqual(offeredPresets(all, ["pdf"]).map((p) => p.id), ["any"]);
    assert.deepEqual(offeredPresets(all, ["text", "code"]).map((p) => p.id), ["any", "code"]);
  });
  test("the built-ins as the fake backend lists them", async () => {
    const list = await fake.listPresets();
    assert.deepEqual(offeredPresets(list, ["pdf"]).map((p) => p.name), ["Document analyst"]);
    assert.deepEqual(offeredPresets(list, ["code"]).map((p) => p.name), ["Document analyst", "Code reviewer"]);
  });
});

describe("system prompt wording", () => {
  test("the first line, cut short", () => {
    assert.equal(promptSummary(undefined), "No system prompt");
    assert.equal(promptSummary("  \n "), "No system prompt");
    assert.equal(promptSummary("You are terse."), "You are terse.");
    assert.equal(promptSummary("You are terse.\nAlways."), "You are terse.…");
    assert.equal(promptSummary("x".repeat(100), 10), `${"x".repeat(9)}…`);
  });
  test("a preset is found by its prompt", () => {
    const list = [preset("a", "never"), preset("b", "never")];
    assert.equal(presetFor(list, " You are b. ")?.id, "b");
    assert.equal(presetFor(list, "other"), null);
    assert.equal(presetFor(list, ""), null);
  });
  test("the backend's byte limit, counted in UTF-8", () => {
    const limits = { max_system_prompt_bytes: 4 } as SamplingLimits;
    assert.equal(checkSystemPrompt("abcd", limits), null);
    assert.match(checkSystemPrompt("абв", limits) ?? "", /6 bytes, and the limit is 4/);
    assert.equal(checkSystemPrompt("anything", null), null);
  });
  test("a preset needs a name", () => {
    assert.equal(presetNameProblem("  "), "Give the preset a name.");
    assert.equal(presetNameProblem("Mine"), null);
  });
  test("offers and new presets", () => {
    assert.ok(isOffer("code_file"));
    assert.ok(!isOffer("toString"));
    assert.deepEqual(newPreset(" Mine ", "Be brief."), {
      id: "",
      name: "Mine",
      system_prompt: "Be brief.",
      prompt: "",
      offer: "never",
      builtin: false,
    });
  });
});
