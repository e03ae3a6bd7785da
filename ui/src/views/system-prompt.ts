// A conversation's system prompt: the header's summary
// (#system-prompt-summary: the prompt's first line, the whole prompt on
// hover, or "No system prompt") and the "System prompt" button
// (#system-prompt-button) that opens #system-dialog, a modal with a preset
// picker, the prompt itself, Save, "Save as preset…" and Cancel.
//
// Save on an open conversation stores the prompt with
// update_conversation_settings, keeping its model and sampling; for a new
// chat the prompt is chosen for the first message (the composer's note
// shows it and send_message carries it). A refusal shows in the dialog,
// which stays open with the text as typed.

import * as backend from "../backend";
import { el, returnFocusTo, showInlineError, wireModalKeys } from "../dom";
import { toAppError } from "../lib/errors";
import { t } from "../lib/i18n";
import { checkSystemPrompt, newPreset, presetDisplayName, presetFor, presetNameProblem, promptSummary } from "../lib/presets";
import type { Conversation, Preset, SamplingLimits } from "../types";
import type { PendingSystemPrompt } from "./composer";

export interface SystemPromptOptions {
  summary: HTMLElement;
  button: HTMLButtonElement;
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  hint: HTMLElement;
  preset: HTMLSelectElement;
  text: HTMLTextAreaElement;
  saveAsRow: HTMLElement;
  saveAsButton: HTMLButtonElement;
  presetName: HTMLInputElement;
  presetAdd: HTMLButtonElement;
  error: HTMLElement;
  cancel: HTMLButtonElement;
  save: HTMLButtonElement;
  /** The open conversation (null: a new chat), and the prompt chosen for a new chat's first message. */
  target(): { conversation: Conversation | null; pending: PendingSystemPrompt | null };
  presets(): Preset[];
  limits(): Promise<SamplingLimits | null>;
  /** Saved to the open conversation. */
  onSaved(conversation: Conversation): void;
  /** Chosen (or cleared) for a new chat's first message. */
  onChosenForNew(choice: PendingSystemPrompt | null): void;
  onPresetsChanged(presets: Preset[]): void;
}

/** The picker's entry for a prompt that is no preset's. */
const CUSTOM = "";

export class SystemPromptView {
  private returnFocus: HTMLElement | null = null;
  private busy = false;
  /** The conversation the dialog was opened for (null: a new chat). */
  private conversation: Conversation | null = null;
  private shownPrompt: string | null | undefined = null;

  constructor(private readonly o: SystemPromptOptions) {
    o.form.noValidate = true;
    o.button.addEventListener("click", () => this.open());
    o.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.save();
    });
    o.cancel.addEventListener("click", () => this.close());
    o.preset.addEventListener("change", () => {
      const preset = this.o.presets().find((p) => p.id === o.preset.value);
      if (preset) o.text.value = preset.system_prompt;
      this.showError(null);
    });
    o.text.addEventListener("input", () => {
      o.preset.value = presetFor(this.o.presets(), o.text.value)?.id ?? CUSTOM;
      this.showError(null);
    });
    o.saveAsButton.addEventListener("click", () => this.toggleSaveAs());
    o.presetAdd.addEventListener("click", () => void this.addPreset());
    o.presetName.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.isComposing) return;
      event.preventDefault(); // not the dialog's Save
      void this.addPreset();
    });
    wireModalKeys(o.dialog, () => this.close());
    o.dialog.addEventListener("close", () => {
      returnFocusTo(this.returnFocus);
      this.returnFocus = null;
    });
    o.error.hidden = true;
  }

  get isOpen(): boolean {
    return this.o.dialog.open;
  }

  /** The header's line for `prompt`. Text only, never markup. */
  showSummary(prompt: string | null | undefined): void {
    const { summary } = this.o;
    this.shownPrompt = prompt;
    summary.textContent = promptSummary(prompt);
    summary.title = prompt?.trim() ? prompt : "";
    summary.dataset.set = prompt?.trim() ? "1" : "0";
  }

  open(): void {
    const o = this.o;
    const { conversation, pending } = o.target();
    this.conversation = conversation;
    this.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const prompt = conversation ? (conversation.system_prompt ?? "") : (pending?.text ?? "");
    this.showHint();
    this.fillPresets(presetFor(o.presets(), prompt)?.id ?? CUSTOM);
    o.text.value = prompt;
    o.presetName.value = "";
    this.setSaveAs(false);
    this.showError(null);
    if (!this.isOpen) o.dialog.showModal();
    o.text.focus();
  }

  /** After a language switch: the summary and, if open, the dialog's words. */
  relabel(): void {
    this.showSummary(this.shownPrompt);
    if (this.isOpen) {
      this.showHint();
      this.fillPresets(this.o.preset.value);
    }
  }

  private showHint(): void {
    this.o.hint.textContent = this.conversation
      ? t("It applies to this conversation from the next message on.")
      : t("It is sent with the first message of this new chat.");
  }

  close(): void {
    if (this.isOpen) this.o.dialog.close();
  }

  /** The library changed elsewhere (Settings): the picker follows. */
  presetsChanged(): void {
    if (this.isOpen) this.fillPresets(this.o.preset.value);
  }

  private fillPresets(selected: string): void {
    const options = [el("option", { text: t("Custom"), attrs: { value: CUSTOM } })];
    for (const p of this.o.presets()) options.push(el("option", { text: presetDisplayName(p), attrs: { value: p.id } }));
    this.o.preset.replaceChildren(...options);
    this.o.preset.value = options.some((opt) => opt.value === selected) ? selected : CUSTOM;
  }

  private async save(): Promise<void> {
    if (this.busy) return;
    const o = this.o;
    const text = o.text.value;
    const tooLong = checkSystemPrompt(text, await o.limits());
    if (tooLong) {
      this.showError(tooLong);
      o.text.focus();
      return;
    }
    const c = this.conversation;
    if (!c) {
      const preset = o.presets().find((p) => p.id === o.preset.value);
      o.onChosenForNew(text.trim() === "" ? null : { name: preset ? presetDisplayName(preset) : t("Custom"), text });
      this.close();
      return;
    }
    this.setBusy(true);
    try {
      const saved = await backend.updateConversationSettings(c.id, {
        model: c.model,
        sampling: c.sampling,
        ...(text.trim() === "" ? {} : { system_prompt: text }),
      });
      o.onSaved(saved);
      this.close();
    } catch (err) {
      this.showError(toAppError(err).message);
    } finally {
      this.setBusy(false);
    }
  }

  private toggleSaveAs(): void {
    const open = this.o.saveAsRow.hidden;
    this.setSaveAs(open);
    if (open) this.o.presetName.focus();
  }

  private setSaveAs(open: boolean): void {
    this.o.saveAsRow.hidden = !open;
    this.o.saveAsButton.setAttribute("aria-expanded", String(open));
  }

  private async addPreset(): Promise<void> {
    if (this.busy) return;
    const o = this.o;
    const name = o.presetName.value.trim();
    const problem = presetNameProblem(name);
    if (problem) {
      this.showError(problem);
      o.presetName.focus();
      return;
    }
    if (o.text.value.trim() === "") {
      this.showError(t("Write the system prompt to save as a preset."));
      o.text.focus();
      return;
    }
    this.setBusy(true);
    try {
      const list = await backend.savePreset(newPreset(name, o.text.value));
      o.onPresetsChanged(list);
      const added = [...list].reverse().find((p) => p.name === name && !p.builtin);
      this.fillPresets(added?.id ?? CUSTOM);
      this.setSaveAs(false);
      o.preset.focus();
    } catch (err) {
      this.showError(toAppError(err).message);
    } finally {
      this.setBusy(false);
    }
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.o.save.disabled = busy;
    this.o.presetAdd.disabled = busy;
    this.o.form.setAttribute("aria-busy", String(busy));
  }

  private showError(message: string | null): void {
    showInlineError(this.o.error, message);
  }
}
