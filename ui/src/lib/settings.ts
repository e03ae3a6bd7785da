// The settings panel's pure side: reading and checking the form's fields,
// turning them into the `Settings` the backend stores, the key status wording
// and the theme attribute. No DOM here (unit-tested under node).

import type { KeyStatus, Language, Settings, Theme } from "../types";
import { backendText } from "./errors";
import { key, t } from "./i18n";

/** A field's text as the form has it; `badInput` when a number input holds text that is not a number. */
export interface FieldText {
  text: string;
  badInput?: boolean;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

export interface NumberSpec {
  /** How messages name the field ("Temperature"). */
  label: string;
  min: number;
  max?: number;
  integer: boolean;
  /** Empty is an error rather than "the service's default". */
  required?: boolean;
}

export const MAX_TOKENS: NumberSpec = { label: key("Max tokens"), min: 1, max: 1_000_000, integer: true };
export const TEMPERATURE: NumberSpec = { label: key("Temperature"), min: 0, max: 1, integer: false };
export const TOP_P: NumberSpec = { label: key("Top P"), min: 0, max: 1, integer: false };
export const TOP_K: NumberSpec = { label: key("Top K"), min: 1, max: 1_000_000, integer: true };
export const CONCURRENCY: NumberSpec = { label: key("Concurrent requests"), min: 1, max: 100, integer: true, required: true };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/**
 * Reads a number field: empty is `undefined` (the service's default) unless the
 * field is required; anything else must be a number within the spec's range.
 * Values are never changed silently: out of range is an error saying the range.
 */
export function parseNumberField(field: FieldText, spec: NumberSpec): Parsed<number | undefined> {
  const text = field.text.trim().replace(",", ".");
  if (field.badInput || (text !== "" && !NUMBER.test(text))) {
    return { ok: false, message: t("{label} must be a number.", { label: t(spec.label) }) };
  }
  if (text === "") {
    return spec.required
      ? { ok: false, message: t("{label} is required.", { label: t(spec.label) }) }
      : { ok: true, value: undefined };
  }
  const value = Number(text);
  if (!Number.isFinite(value)) return { ok: false, message: t("{label} must be a number.", { label: t(spec.label) }) };
  const outOfRange = value < spec.min || (spec.max !== undefined && value > spec.max);
  if (outOfRange || (spec.integer && !Number.isInteger(value))) {
    return { ok: false, message: describe(spec) };
  }
  // -0 comes back as a plain 0.
  return { ok: true, value: value === 0 ? 0 : value };
}

/** "Top K must be a whole number from 1 to 100.", "… between 0 and 1.", "… at least 1." */
function describe(spec: NumberSpec): string {
  const p = { label: t(spec.label), min: String(spec.min), max: String(spec.max) };
  if (spec.integer) {
    return spec.max === undefined
      ? t("{label} must be a whole number of at least {min}.", p)
      : t("{label} must be a whole number from {min} to {max}.", p);
  }
  return spec.max === undefined ? t("{label} must be at least {min}.", p) : t("{label} must be between {min} and {max}.", p);
}

/** A stored number as the field shows it: empty for "not set", float noise (0.699999988) trimmed. */
export function formatNumberField(value: number | null | undefined): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return "";
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** The service address: an absolute http(s) URL. The backend normalizes it and has the final word. */
export function parseBaseUrl(raw: string): Parsed<string> {
  const text = raw.trim();
  if (text === "") return { ok: false, message: t("Enter the service address (for example https://ai.megallm.io).") };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, message: t("The service address is not a valid URL (for example https://ai.megallm.io).") };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, message: t("The service address must start with https:// (or http://).") };
  }
  return { ok: true, value: text };
}

const THEMES: ReadonlySet<string> = new Set<Theme>(["system", "light", "dark"]);

export function isTheme(value: unknown): value is Theme {
  return typeof value === "string" && THEMES.has(value);
}

const LANGUAGES: ReadonlySet<string> = new Set<Language>(["system", "en", "ru"]);

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && LANGUAGES.has(value);
}

/** The `data-theme` value on <html>: null (follow the system) for "system". */
export function themeAttribute(theme: Theme): "light" | "dark" | null {
  return theme === "light" || theme === "dark" ? theme : null;
}

/** The form's fields, as text. */
export interface SettingsFormValues {
  baseUrl: string;
  model: string;
  maxTokens: FieldText;
  temperature: FieldText;
  topP: FieldText;
  topK: FieldText;
  theme: string;
  language: string;
  concurrency: FieldText;
}

/** Which field a problem is in: the suffix of its id (`#settings-<field>`). */
export type SettingsField = "base-url" | "model" | "max-tokens" | "temperature" | "top-p" | "top-k" | "theme" | "language" | "concurrency";

export type ReadSettings = { ok: true; settings: Settings } | { ok: false; field: SettingsField; message: string };

/**
 * Turns the form into the Settings to save, on top of `base` (what get_settings
 * returned, so fields this UI does not know about are kept). The first problem
 * found is returned with the field it is in.
 */
export function readSettings(values: SettingsFormValues, base: Settings): ReadSettings {
  const url = parseBaseUrl(values.baseUrl);
  if (!url.ok) return { ok: false, field: "base-url", message: url.message };
  const model = values.model.trim() || base.default_model;
  if (model === "") return { ok: false, field: "model", message: t("Choose a default model.") };
  const numbers: Array<[SettingsField, FieldText, NumberSpec]> = [
    ["max-tokens", values.maxTokens, MAX_TOKENS],
    ["temperature", values.temperature, TEMPERATURE],
    ["top-p", values.topP, TOP_P],
    ["top-k", values.topK, TOP_K],
    ["concurrency", values.concurrency, CONCURRENCY],
  ];
  const read = new Map<SettingsField, number | undefined>();
  for (const [field, text, spec] of numbers) {
    const parsed = parseNumberField(text, spec);
    if (!parsed.ok) return { ok: false, field, message: parsed.message };
    read.set(field, parsed.value);
  }
  if (!isTheme(values.theme)) return { ok: false, field: "theme", message: t("Choose a theme.") };
  if (!isLanguage(values.language)) return { ok: false, field: "language", message: t("Choose a language.") };

  const settings: Settings = {
    ...base,
    base_url: url.value,
    default_model: model,
    theme: values.theme,
    language: values.language,
    max_concurrent: read.get("concurrency") ?? base.max_concurrent,
  };
  const optional: Array<[SettingsField, "max_tokens" | "temperature" | "top_p" | "top_k"]> = [
    ["max-tokens", "max_tokens"],
    ["temperature", "temperature"],
    ["top-p", "top_p"],
    ["top-k", "top_k"],
  ];
  for (const [field, key] of optional) {
    const value = read.get(field);
    if (value === undefined) delete settings[key];
    else settings[key] = value;
  }
  return { ok: true, settings };
}

const KEY_LABELS: Record<KeyStatus["backend"], string> = {
  keychain: key("Stored in the system keychain."),
  file: key("Stored in a file only you can read."),
  environment: key("From the MEGALLM_API_KEY environment variable."),
  none: key("No key set."),
};

/** Where the key is, in words; `notice` is the backend's own plain-text warning, shown as-is. */
export function keyStatusText(status: KeyStatus): { label: string; notice: string | null } {
  const label = t(status.present ? (KEY_LABELS[status.backend] ?? key("A key is set.")) : KEY_LABELS.none);
  const notice = typeof status.notice === "string" && status.notice.trim() !== "" ? backendText(status.notice.trim()) : null;
  return { label, notice };
}

/** The key field's placeholder: it is never filled with the key, so it says whether one is stored. */
export function keyPlaceholder(status: KeyStatus | null): string {
  if (!status) return t("Paste your MegaLLM API key");
  if (!status.present || status.backend === "none") return t("No key set: paste your MegaLLM API key");
  if (status.backend === "environment") return t("Using MEGALLM_API_KEY: paste a key to store one");
  return t("A key is stored: paste a new one to replace it");
}

/** Whether "Remove key" can do anything: a stored key (an environment variable is not ours to remove). */
export function canRemoveKey(status: KeyStatus | null): boolean {
  return status !== null && status.present && (status.backend === "keychain" || status.backend === "file");
}
