// Presets and system prompts, the pure side: which presets the composer
// offers as one-click analyses, how a system prompt is summed up in the
// header, and the checks before saving one. No DOM (unit-tested under node).

import type { DocumentKind, Preset, PresetOffer, SamplingLimits } from "../types";

/** The presets offered for the attached files' kinds, in the library's order. */
export function offeredPresets(presets: readonly Preset[], kinds: ReadonlyArray<DocumentKind["type"]>): Preset[] {
  if (kinds.length === 0) return [];
  const code = kinds.includes("code");
  return presets.filter((p) => p.prompt.trim() !== "" && (p.offer === "any_file" || (p.offer === "code_file" && code)));
}

/** The header's one line: the prompt's first line, cut at `max` characters. */
export function promptSummary(prompt: string | null | undefined, max = 60): string {
  const line = (prompt ?? "").trim().split(/\r?\n/, 1)[0]?.trim() ?? "";
  if (line === "") return "No system prompt";
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
    return `The system prompt is too long: ${bytes.toLocaleString("en-US")} bytes, and the limit is ${limits.max_system_prompt_bytes.toLocaleString("en-US")}.`;
  }
  return null;
}

export const OFFER_LABELS: Record<PresetOffer, string> = {
  never: "Only as a system prompt",
  any_file: "When any file is attached",
  code_file: "When a code file is attached",
};

export function isOffer(value: string): value is PresetOffer {
  return Object.hasOwn(OFFER_LABELS, value);
}

/** Why a preset named `name` cannot be saved, or null. */
export function presetNameProblem(name: string): string | null {
  return name.trim() === "" ? "Give the preset a name." : null;
}

/** A new preset of the user's (an empty id: the backend gives it one). */
export function newPreset(name: string, systemPrompt: string): Preset {
  return { id: "", name: name.trim(), system_prompt: systemPrompt, prompt: "", offer: "never", builtin: false };
}
