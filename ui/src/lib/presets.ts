// Presets and system prompts, the pure side: which presets the composer
// offers as one-click analyses, how a system prompt is summed up in the
// header, and the checks before saving one. No DOM (unit-tested under node).

import type { DocumentKind, Preset, PresetOffer, SamplingLimits } from "../types";
import { key, t } from "./i18n";

/** The presets offered for the attached files' kinds, in the library's order. */
export function offeredPresets(presets: readonly Preset[], kinds: ReadonlyArray<DocumentKind["type"]>): Preset[] {
  if (kinds.length === 0) return [];
  const code = kinds.includes("code");
  return presets.filter((p) => p.prompt.trim() !== "" && (p.offer === "any_file" || (p.offer === "code_file" && code)));
}

/** The header's one line: the prompt's first line, cut at `max` characters. */
export function promptSummary(prompt: string | null | undefined, max = 60): string {
  const line = (prompt ?? "").trim().split(/\r?\n/, 1)[0]?.trim() ?? "";
  if (line === "") return t("No system prompt");
  const cut = line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
  const more = (prompt ?? "").trim().includes("\n") && !cut.endsWith("…") ? "…" : "";
  return `${cut}${more}`;
}

/** The preset whose system prompt is exactly `prompt`, if any (to preselect it). */
export function presetFor(presets: readonly Preset[], prompt: string | null | undefined): Preset | null {
  const text = (prompt ?? "").trim();
  if (text === "") return null;
  return presets.find((p) => p.system_prompt.trim() === text) ?? null;
}

/** Why a system prompt cannot be saved, or null: the limit is the backend's. */
export function checkSystemPrompt(prompt: string, limits: SamplingLimits | null): string | null {
  if (!limits) return null;
  const bytes = new TextEncoder().encode(prompt).length;
  if (bytes > limits.max_system_prompt_bytes) {
    return t("The system prompt is too long: {bytes} bytes, and the limit is {limit}.", {
      bytes,
      limit: limits.max_system_prompt_bytes,
    });
  }
  return null;
}

export const OFFER_LABELS: Record<PresetOffer, string> = {
  never: key("Only as a system prompt"),
  any_file: key("When any file is attached"),
  code_file: key("When a code file is attached"),
};

export function isOffer(value: string): value is PresetOffer {
  return Object.hasOwn(OFFER_LABELS, value);
}

/**
 * A preset's name as shown: a built-in one's in the current language (the
 * stored name stays the English one it shipped with).
 */
export function presetDisplayName(p: Pick<Preset, "name" | "builtin">): string {
  return p.builtin ? t(p.name) : p.name;
}

/** A preset's one-click question, a built-in one's in the current language (the reply follows it). */
export function presetQuestion(p: Pick<Preset, "prompt" | "builtin">): string {
  return p.builtin ? t(p.prompt) : p.prompt;
}

/** How the offer choice reads in the current language. */
export function offerLabel(offer: PresetOffer): string {
  return t(OFFER_LABELS[offer]);
}

/** Why a preset named `name` cannot be saved, or null. */
export function presetNameProblem(name: string): string | null {
  return name.trim() === "" ? t("Give the preset a name.") : null;
}

/** A new preset of the user's (an empty id: the backend gives it one). */
export function newPreset(name: string, systemPrompt: string): Preset {
  return { id: "", name: name.trim(), system_prompt: systemPrompt, prompt: "", offer: "never", builtin: false };
}
