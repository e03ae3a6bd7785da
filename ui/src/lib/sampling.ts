// A conversation's sampling panel, the pure side: reading its fields into
// the SamplingSettings update_conversation_settings takes, the hints from
// sampling_limits, and the reply ceiling of a model. Only the form is
// checked here (a number is a number); the ranges are the backend's to
// judge, and its message is what the panel shows. No DOM (unit-tested).

import type { ModelInfo, SamplingLimits, SamplingSettings, Settings } from "../types";
import { formatNumber, key, t } from "./i18n";
import { formatNumberField, type FieldText } from "./settings";

export interface SamplingFormValues {
  temperature: FieldText;
  topP: FieldText;
  topK: FieldText;
  maxTokens: FieldText;
  /** One stop sequence a line. */
  stopSequences: string;
}

export type SamplingField = "temperature" | "top-p" | "top-k" | "max-tokens" | "stop-sequences";

export type ReadSampling = { ok: true; sampling: SamplingSettings } | { ok: false; field: SamplingField; message: string };

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

function readNumber(field: FieldText, label: string, integer: boolean): { ok: true; value?: number } | { ok: false; message: string } {
  const text = field.text.trim().replace(",", ".");
  if (text === "" && !field.badInput) return { ok: true };
  const value = Number(text);
  if (field.badInput || !NUMBER.test(text) || !Number.isFinite(value)) return { ok: false, message: t("{label} must be a number.", { label: t(label) }) };
  if (integer && !Number.isInteger(value)) return { ok: false, message: t("{label} must be a whole number.", { label: t(label) }) };
  return { ok: true, value: value === 0 ? 0 : value };
}

/** The form as SamplingSettings: an empty field is left out (the app's default). */
export function readSampling(values: SamplingFormValues): ReadSampling {
  const sampling: SamplingSettings = {};
  const fields: Array<[SamplingField, FieldText, string, boolean, keyof SamplingSettings]> = [
    ["temperature", values.temperature, key("Temperature"), false, "temperature"],
    ["top-p", values.topP, key("Top P"), false, "top_p"],
    ["top-k", values.topK, key("Top K"), true, "top_k"],
    ["max-tokens", values.maxTokens, key("Max tokens"), true, "max_tokens"],
  ];
  for (const [field, text, label, integer, key] of fields) {
    const read = readNumber(text, label, integer);
    if (!read.ok) return { ok: false, field, message: read.message };
    if (read.value !== undefined) (sampling as Record<string, number>)[key] = read.value;
  }
  // Blank lines separate nothing; a sequence keeps its own spaces.
  sampling.stop_sequences = values.stopSequences.split(/\r?\n/).filter((line) => line !== "");
  return { ok: true, sampling };
}

/** What the form's fields show. */
export interface SamplingTexts {
  temperature: string;
  topP: string;
  topK: string;
  maxTokens: string;
  stopSequences: string;
}

/** The form's text for a conversation's sampling, or for the Settings defaults ("Reset to defaults"). */
export function samplingFields(s: SamplingSettings | Settings): SamplingTexts {
  return {
    temperature: formatNumberField(s.temperature),
    topP: formatNumberField(s.top_p),
    topK: formatNumberField(s.top_k),
    maxTokens: formatNumberField(s.max_tokens),
    stopSequences: "stop_sequences" in s ? (s.stop_sequences ?? []).join("\n") : "",
  };
}

/** A model's reply ceiling: the model list's, else the backend's fallback. */
export function maxTokensCeiling(model: ModelInfo | undefined, limits: SamplingLimits): number {
  return model?.max_output_tokens ?? limits.max_tokens_fallback;
}

/** The fields' hints, from the backend's limits. */
export function samplingHints(limits: SamplingLimits, ceiling: number): Record<SamplingField, string> {
  return {
    temperature: t("{min} to {max}", { min: limits.temperature_min, max: limits.temperature_max }),
    "top-p": t("{min} to {max}", { min: limits.top_p_min, max: limits.top_p_max }),
    "top-k": t("At least {min}", { min: limits.top_k_min }),
    "max-tokens": t("1 to {max} for this model", { max: ceiling }),
    "stop-sequences": t("One a line: up to {count}, each up to {chars} characters", {
      count: limits.max_stop_sequences,
      chars: limits.max_stop_sequence_chars,
    }),
  };
}

/** "Context window: 200,000 tokens · replies up to 64,000", or null when the list says neither. */
export function modelWindowText(model: ModelInfo | undefined): string | null {
  if (!model) return null;
  const parts: string[] = [];
  if (model.context_window) parts.push(t("Context window: {n} tokens", { n: formatNumber(model.context_window) }));
  if (model.max_output_tokens) parts.push(t("replies up to {n}", { n: formatNumber(model.max_output_tokens) }));
  return parts.length > 0 ? parts.join(" · ") : null;
}
