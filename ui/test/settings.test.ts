import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  CONCURRENCY,
  MAX_TOKENS,
  TEMPERATURE,
  TOP_K,
  canRemoveKey,
  formatNumberField,
  isTheme,
  keyPlaceholder,
  keyStatusText,
  parseBaseUrl,
  parseNumberField,
  readSettings,
  themeAttribute,
  type SettingsFormValues,
} from "../src/lib/settings";
import type { KeyStatus, Settings } from "../src/types";

const t = (text: string, badInput = false) => ({ text, badInput });

describe("parseNumberField", () => {
  test("empty means the service's default", () => {
    assert.deepEqual(parseNumberField(t(""), TEMPERATURE), { ok: true, value: undefined });
    assert.deepEqual(parseNumberField(t("   "), MAX_TOKENS), { ok: true, value: undefined });
  });

  test("a required field cannot be empty", () => {
    assert.deepEqual(parseNumberField(t(""), CONCURRENCY), { ok: false, message: "Concurrent requests is required." });
  });

  test("reads numbers, with a decimal comma too", () => {
    assert.deepEqual(parseNumberField(t("0.7"), TEMPERATURE), { ok: true, value: 0.7 });
    assert.deepEqual(parseNumberField(t(" 0,25 "), TEMPERATURE), { ok: true, value: 0.25 });
    assert.deepEqual(parseNumberField(t(".5"), TEMPERATURE), { ok: true, value: 0.5 });
    assert.deepEqual(parseNumberField(t("4096"), MAX_TOKENS), { ok: true, value: 4096 });
    assert.deepEqual(parseNumberField(t("1e3"), MAX_TOKENS), { ok: true, value: 1000 });
    assert.deepEqual(parseNumberField(t("-0"), TEMPERATURE), { ok: true, value: 0 });
    assert.ok(Object.is((parseNumberField(t("-0"), TEMPERATURE) as { value: number }).value, 0));
  });

  test("the range ends are allowed", () => {
    assert.deepEqual(parseNumberField(t("0"), TEMPERATURE), { ok: true, value: 0 });
    assert.deepEqual(parseNumberField(t("1"), TEMPERATURE), { ok: true, value: 1 });
    assert.deepEqual(parseNumberField(t("1"), CONCURRENCY), { ok: true, value: 1 });
    assert.deepEqual(parseNumberField(t("100"), CONCURRENCY), { ok: true, value: 100 });
  });

  test("out of range is an error naming the range (never changed silently)", () => {
    assert.deepEqual(parseNumberField(t("1.5"), TEMPERATURE), { ok: false, message: "Temperature must be between 0 and 1." });
    assert.deepEqual(parseNumberField(t("-0.1"), TEMPERATURE), { ok: false, message: "Temperature must be between 0 and 1." });
    assert.deepEqual(parseNumberField(t("0"), CONCURRENCY), {
      ok: false,
      message: "Concurrent requests must be a whole number from 1 to 100.",
    });
    assert.deepEqual(parseNumberField(t("101"), CONCURRENCY), {
      ok: false,
      message: "Concurrent requests must be a whole number from 1 to 100.",
    });
    assert.equal(parseNumberField(t("0"), TOP_K).ok, false);
  });

  test("whole-number fields refuse fractions", () => {
    assert.deepEqual(parseNumberField(t("2.5"), MAX_TOKENS), {
      ok: false,
      message: "Max tokens must be a whole number from 1 to 1000000.",
    });
  });

  test("text that is not a number", () => {
    for (const text of ["abc", "1.2.3", "0x10", "Infinity", "NaN", "1 2", "--1", "e5"]) {
      assert.deepEqual(parseNumberField(t(text), TEMPERATURE), { ok: false, message: "Temperature must be a number." }, text);
    }
    // A number input holding unreadable text reports an empty value and badInput.
    assert.deepEqual(parseNumberField(t("", true), TOP_K), { ok: false, message: "Top K must be a number." });
  });
});

describe("formatNumberField", () => {
  test("unset is empty; float noise is trimmed", () => {
    assert.equal(formatNumberField(undefined), "");
    assert.equal(formatNumberField(null), "");
    assert.equal(formatNumberField(Number.NaN), "");
    assert.equal(formatNumberField(4096), "4096");
    assert.equal(formatNumberField(0), "0");
    assert.equal(formatNumberField(0.699999988079071), "0.7");
    assert.equal(formatNumberField(0.05), "0.05");
  });
});

describe("parseBaseUrl", () => {
  test("an http(s) URL is kept as typed (trimmed)", () => {
    assert.deepEqual(parseBaseUrl(" https://api.example.com/v1 "), { ok: true, value: "https://api.example.com/v1" });
    assert.deepEqual(parseBaseUrl("http://localhost:8080"), { ok: true, value: "http://localhost:8080" });
  });
  test("empty, malformed and other schemes are refused", () => {
    assert.equal(parseBaseUrl("").ok, false);
    assert.match((parseBaseUrl("api.example.com") as { message: string }).message, /not a valid URL/);
    assert.match((parseBaseUrl("ftp://example.com") as { message: string }).message, /https:\/\//);
    assert.equal(parseBaseUrl("javascript:alert(1)").ok, false);
    assert.equal(parseBaseUrl("file:///etc/passwd").ok, false);
  });
});

describe("theme", () => {
  test("isTheme", () => {
    assert.equal(isTheme("system"), true);
    assert.equal(isTheme("dark"), true);
    assert.equal(isTheme("Dark"), false);
    assert.equal(isTheme(null), false);
  });
  test("system sets no attribute", () => {
    assert.equal(themeAttribute("system"), null);
    assert.equal(themeAttribute("light"), "light");
    assert.equal(themeAttribute("dark"), "dark");
  });
});

const base: Settings = {
  base_url: "https://api.example.com",
  default_model: "claude-sonnet-4-5",
  max_tokens: 2048,
  temperature: 0.5,
  theme: "system",
  max_concurrent: 10,
  language: "system",
};

function form(over: Partial<SettingsFormValues> = {}): SettingsFormValues {
  return {
    baseUrl: "https://api.example.com",
    model: "claude-sonnet-4-5",
    maxTokens: t("2048"),
    temperature: t("0.5"),
    topP: t(""),
    topK: t(""),
    theme: "system",
    language: "system",
    concurrency: t("10"),
    ...over,
  };
}

describe("readSettings", () => {
  test("unchanged fields give the same settings", () => {
    assert.deepEqual(readSettings(form(), base), { ok: true, settings: base });
  });

  test("emptied fields are left out (the service's default); new ones are set", () => {
    const read = readSettings(form({ maxTokens: t(""), temperature: t(""), topP: t("0.9"), topK: t("40") }), base);
    assert.deepEqual(read, {
      ok: true,
      settings: { base_url: "https://api.example.com", default_model: "claude-sonnet-4-5", top_p: 0.9, top_k: 40, theme: "system", max_concurrent: 10, language: "system" },
    });
    assert.ok(read.ok && !("max_tokens" in read.settings) && !("temperature" in read.settings));
  });

  test("theme, model, concurrency and address", () => {
    const read = readSettings(
      form({ theme: "dark", model: "claude-opus-4-1", concurrency: t("40"), baseUrl: " http://localhost:9000 " }),
      base,
    );
    assert.ok(read.ok);
    assert.equal(read.settings.theme, "dark");
    assert.equal(read.settings.default_model, "claude-opus-4-1");
    assert.equal(read.settings.max_concurrent, 40);
    assert.equal(read.settings.base_url, "http://localhost:9000");
  });

  test("the language is one the app has, or the form is refused", () => {
    const read = readSettings(form({ language: "ru" }), base);
    assert.ok(read.ok);
    assert.equal(read.settings.language, "ru");
    assert.deepEqual(readSettings(form({ language: "tlh" }), base), { ok: false, field: "language", message: "Choose a language." });
  });

  test("an empty model picker keeps the stored default", () => {
    const read = readSettings(form({ model: "" }), base);
    assert.ok(read.ok);
    assert.equal(read.settings.default_model, "claude-sonnet-4-5");
  });

  test("fields this UI does not know about are kept", () => {
    const withExtra = { ...base, future_field: "x" } as Settings;
    const read = readSettings(form(), withExtra);
    assert.ok(read.ok);
    assert.equal((read.settings as unknown as { future_field: string }).future_field, "x");
  });

  test("the first problem comes back with its field", () => {
    assert.deepEqual(readSettings(form({ baseUrl: "" }), base), {
      ok: false,
      field: "base-url",
      message: "Enter the service address (for example https://ai.megallm.io).",
    });
    assert.deepEqual(readSettings(form({ temperature: t("2") }), base), {
      ok: false,
      field: "temperature",
      message: "Temperature must be between 0 and 1.",
    });
    const bad = readSettings(form({ topK: t("1.5"), concurrency: t("") }), base);
    assert.equal(bad.ok, false);
    assert.equal(!bad.ok && bad.field, "top-k");
    assert.equal(readSettings(form({ concurrency: t("") }), base).ok, false);
    assert.deepEqual(readSettings(form({ theme: "purple" }), base), { ok: false, field: "theme", message: "Choose a theme." });
  });

  test("the base settings object is not modified", () => {
    const copy = { ...base };
    readSettings(form({ maxTokens: t(""), theme: "light" }), base);
    assert.deepEqual(base, copy);
  });
});

describe("key status", () => {
  const status = (s: Partial<KeyStatus>): KeyStatus => ({ present: true, backend: "keychain", ...s });

  test("says where the key is", () => {
    assert.deepEqual(keyStatusText(status({})), { label: "Stored in the system keychain.", notice: null });
    assert.deepEqual(keyStatusText(status({ backend: "file" })), { label: "Stored in a file only you can read.", notice: null });
    assert.deepEqual(keyStatusText(status({ backend: "environment" })), {
      label: "From the MEGALLM_API_KEY environment variable.",
      notice: null,
    });
    assert.deepEqual(keyStatusText(status({ present: false, backend: "none" })), { label: "No key set.", notice: null });
    assert.equal(keyStatusText(status({ present: false, backend: "keychain" })).label, "No key set.");
  });

  test("the backend's notice is passed on as-is (trimmed), blank ones dropped", () => {
    const notice = "No keychain service is running: the key is in <b>~/.config/megallm/key</b>.";
    assert.deepEqual(keyStatusText(status({ backend: "file", notice: `  ${notice}\n` })), {
      label: "Stored in a file only you can read.",
      notice,
    });
    assert.equal(keyStatusText(status({ notice: "   " })).notice, null);
  });

  test("placeholder and Remove", () => {
    assert.match(keyPlaceholder(status({})), /stored/);
    assert.match(keyPlaceholder(status({ present: false, backend: "none" })), /No key set/);
    assert.match(keyPlaceholder(status({ backend: "environment" })), /MEGALLM_API_KEY/);
    assert.equal(canRemoveKey(status({})), true);
    assert.equal(canRemoveKey(status({ backend: "file" })), true);
    assert.equal(canRemoveKey(status({ backend: "environment" })), false);
    assert.equal(canRemoveKey(status({ present: false, backend: "none" })), false);
    assert.equal(canRemoveKey(null), false);
  });
});
