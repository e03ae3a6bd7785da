// Which models a picker offers. Pure; shared by the composer's picker and the
// settings panel's default-model choice.

import type { ModelCatalogue, ModelInfo } from "../types";
import { backendText } from "./errors";
import { t } from "./i18n";

export interface ModelChoice {
  id: string;
  label: string;
}

/**
 * The picker's entries: models reachable through the Messages API (all of
 * them if none is), then each of `keep` that the list lacks (the configured
 * default, a conversation's older model) put first, so it stays selectable.
 */
export function modelChoices(models: readonly ModelInfo[], keep: ReadonlyArray<string | null | undefined>): ModelChoice[] {
  const usable = models.filter((m) => m.messages_api);
  const shown = usable.length > 0 ? usable : models;
  const ids = new Set(shown.map((m) => m.id));
  const choices = shown.map((m) => ({ id: m.id, label: m.display_name || m.id }));
  for (const extra of keep) {
    if (extra && !ids.has(extra)) {
      ids.add(extra);
      choices.unshift({ id: extra, label: extra });
    }
  }
  return choices;
}

/**
 * What the notice banner should say about a catalogue: only the built-in
 * list needs a word (the service's list could not be had), else nothing.
 */
export function catalogueNotice(catalogue: ModelCatalogue): string | null {
  if (catalogue.source !== "builtin") return null;
  return catalogue.warning !== undefined
    ? backendText(catalogue.warning)
    : t("The service's model list could not be loaded, so the built-in list is shown.");
}
