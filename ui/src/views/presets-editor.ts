// Settings › Presets (#preset-list, #preset-add, #preset-editor): the
// presets library, listed, added, edited and deleted at once (like "Remove
// key", not part of the panel's Save). A built-in offers "Reset" (back to
// as shipped) instead of "Delete". The editor takes a name, a system
// prompt, the question of a one-click analysis and when to offer it.
// Names are text only (textContent, aria-label), never markup.

import * as backend from "../backend";
import { el, showInlineError } from "../dom";
import { toAppError } from "../lib/errors";
import { t } from "../lib/i18n";
import { isOffer, OFFER_LABELS, offerLabel, presetDisplayName, presetNameProblem } from "../lib/presets";
import type { Preset } from "../types";

export interface PresetsEditorOptions {
  list: HTMLElement;
  add: HTMLButtonElement;
  editor: HTMLElement;
  editorTitle: HTMLElement;
  name: HTMLInputElement;
  systemPrompt: HTMLTextAreaElement;
  prompt: HTMLTextAreaElement;
  offer: HTMLSelectElement;
  error: HTMLElement;
  save: HTMLButtonElement;
  cancel: HTMLButtonElement;
  onChanged(presets: Preset[]): void;
}

export class PresetsEditor {
  private presets: Preset[] = [];
  /** The preset being edited (a new one has an empty id), or null. */
  private editing: Preset | null = null;
  private busy = false;

  constructor(private readonly o: PresetsEditorOptions) {
    this.labelOffers();
    o.add.addEventListener("click", () =>
      this.edit({ id: "", name: "", system_prompt: "", prompt: "", offer: "never", builtin: false }),
    );
    o.save.addEventListener("click", () => void this.save());
    o.cancel.addEventListener("click", () => this.closeEditor(o.add));
    o.name.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.isComposing) return;
      event.preventDefault(); // not the settings panel's Save
      void this.save();
    });
    o.list.addEventListener("click", (event) => {
      const button = event.target instanceof Element ? event.target.closest<HTMLButtonElement>("button[data-action]") : null;
      const preset = this.presets.find((p) => p.id === button?.closest<HTMLElement>("[data-id]")?.dataset.id);
      if (!button || !preset) return;
      if (button.dataset.action === "edit") this.edit(preset);
      else void this.remove(preset);
    });
    o.editor.hidden = true;
    o.error.hidden = true;
  }

  private labelOffers(): void {
    const chosen = this.o.offer.value;
    this.o.offer.replaceChildren(
      ...Object.keys(OFFER_LABELS).map((value) => el("option", { text: offerLabel(value as keyof typeof OFFER_LABELS), attrs: { value } })),
    );
    if (chosen) this.o.offer.value = chosen;
  }

  /** After a language switch: the list and the editor's words again. */
  relabel(): void {
    this.labelOffers();
    this.render(this.presets);
    if (this.editing) this.o.editorTitle.textContent = this.editorTitle(this.editing);
  }

  private editorTitle(preset: Preset): string {
    return preset.id === "" ? t("New preset") : t("Edit {name}", { name: presetDisplayName(preset) });
  }

  /** Shows `presets` and asks for the stored list (the panel opened). */
  async load(presets: Preset[]): Promise<void> {
    this.closeEditor(null);
    this.render(presets);
    try {
      this.changed(await backend.listPresets());
    } catch (err) {
      this.showError(t("The presets could not be loaded: {reason}", { reason: toAppError(err).message }));
    }
  }

  private render(presets: Preset[]): void {
    this.presets = presets;
    const rows = presets.map((p) => {
      const name = presetDisplayName(p);
      return el(
        "li",
        { className: "preset-row", dataset: { id: p.id } },
        el("span", { className: "preset-name", text: name, attrs: { title: p.system_prompt } }),
        ...(p.builtin ? [el("span", { className: "preset-tag", text: t("Built-in") })] : []),
        el("button", { text: t("Edit"), attrs: { type: "button", "aria-label": t("Edit {name}", { name }) }, dataset: { action: "edit" } }),
        p.builtin
          ? el("button", {
              text: t("Reset"),
              attrs: { type: "button", "aria-label": t("Reset {name}", { name }), title: t("Back to the preset as shipped") },
              dataset: { action: "delete" },
            })
          : el("button", {
              text: t("Delete"),
              attrs: { type: "button", "aria-label": t("Delete {name}", { name }) },
              dataset: { action: "delete" },
            }),
      );
    });
    this.o.list.replaceChildren(...rows);
  }

  private changed(presets: Preset[]): void {
    this.render(presets);
    this.o.onChanged(presets);
  }

  private edit(preset: Preset): void {
    const o = this.o;
    this.editing = preset;
    o.editorTitle.textContent = this.editorTitle(preset);
    o.name.value = preset.name;
    o.systemPrompt.value = preset.system_prompt;
    o.prompt.value = preset.prompt;
    o.offer.value = preset.offer;
    this.showError(null);
    o.editor.hidden = false;
    o.name.focus();
  }

  private closeEditor(focus: HTMLElement | null): void {
    this.editing = null;
    this.o.editor.hidden = true;
    this.showError(null);
    focus?.focus();
  }

  private async save(): Promise<void> {
    const editing = this.editing;
    if (!editing || this.busy) return;
    const o = this.o;
    const name = o.name.value.trim();
    const problem = presetNameProblem(name);
    if (problem) {
      this.showError(problem);
      o.name.focus();
      return;
    }
    const offer = isOffer(o.offer.value) ? o.offer.value : "never";
    await this.act(async () => {
      this.changed(
        await backend.savePreset({ ...editing, name, system_prompt: o.systemPrompt.value, prompt: o.prompt.value, offer }),
      );
      this.closeEditor(o.add);
    });
  }

  private async remove(preset: Preset): Promise<void> {
    await this.act(async () => {
      this.changed(await backend.deletePreset(preset.id));
      if (this.editing?.id === preset.id) this.closeEditor(null);
      this.o.add.focus();
    });
  }

  /** Runs one change to the library; a refusal is shown, and nothing else changes. */
  private async act(change: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.o.save.disabled = true;
    this.showError(null);
    try {
      await change();
    } catch (err) {
      this.showError(toAppError(err).message);
    } finally {
      this.busy = false;
      this.o.save.disabled = false;
    }
  }

  private showError(message: string | null): void {
    showInlineError(this.o.error, message);
  }
}
