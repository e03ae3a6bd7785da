// A conversation's sampling (#sampling-dialog, opened by the header's
// "Sampling" button): temperature, top P, top K, max tokens (up to the
// model's reply ceiling) and stop sequences, one a line. The hints and the
// inputs' min/max come from sampling_limits; the ranges are checked by the
// backend (update_conversation_settings), whose message shows in the
// dialog, never swallowed. "Reset to defaults" fills in the defaults from
// Settings, to be saved like any change.

import * as backend from "../backend";
import { returnFocusTo, showInlineError, wireModalKeys } from "../dom";
import { toAppError } from "../lib/errors";
import { t } from "../lib/i18n";
import { maxTokensCeiling, readSampling, samplingFields, samplingHints, type SamplingField, type SamplingTexts } from "../lib/sampling";
import type { Conversation, ModelInfo, SamplingLimits } from "../types";

export interface SamplingPanelOptions {
  button: HTMLButtonElement;
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  temperature: HTMLInputElement;
  topP: HTMLInputElement;
  topK: HTMLInputElement;
  maxTokens: HTMLInputElement;
  stopSequences: HTMLTextAreaElement;
  /** Each field's hint, by field. */
  hints: Record<SamplingField, HTMLElement>;
  error: HTMLElement;
  reset: HTMLButtonElement;
  cancel: HTMLButtonElement;
  save: HTMLButtonElement;
  conversation(): Conversation | null;
  model(id: string): ModelInfo | undefined;
  limits(): Promise<SamplingLimits | null>;
  onSaved(conversation: Conversation): void;
}

export class SamplingPanel {
  private returnFocus: HTMLElement | null = null;
  private conversation: Conversation | null = null;
  private busy = false;

  constructor(private readonly o: SamplingPanelOptions) {
    o.form.noValidate = true;
    o.button.addEventListener("click", () => void this.open());
    o.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.save();
    });
    o.cancel.addEventListener("click", () => this.close());
    o.reset.addEventListener("click", () => void this.resetToDefaults());
    o.form.addEventListener("input", (event) => {
      if (event.target instanceof HTMLElement) event.target.removeAttribute("aria-invalid");
    });
    wireModalKeys(o.dialog, () => this.close());
    o.dialog.addEventListener("close", () => {
      returnFocusTo(this.returnFocus);
      this.returnFocus = null;
    });
    o.error.hidden = true;
    this.setConversation(null);
  }

  /** Sampling belongs to a stored conversation: a new chat takes the Settings defaults. */
  setConversation(conversation: Conversation | null): void {
    const { button } = this.o;
    button.disabled = conversation === null;
    button.title =
      conversation === null
        ? t("A new chat starts with the defaults in Settings; its sampling can be changed once it has begun")
        : t("Temperature, top P, top K, max tokens and stop sequences of this conversation");
  }

  /** After a language switch: the button's words again. */
  relabel(): void {
    this.setConversation(this.o.conversation());
  }

  async open(): Promise<void> {
    const c = this.o.conversation();
    if (!c) return;
    const o = this.o;
    this.conversation = c;
    this.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.fill(samplingFields(c.sampling));
    this.showError(null);
    const limits = await o.limits();
    if (limits) this.applyLimits(limits, maxTokensCeiling(o.model(c.model), limits));
    if (!this.isOpen) o.dialog.showModal();
    o.temperature.focus();
  }

  get isOpen(): boolean {
    return this.o.dialog.open;
  }

  close(): void {
    if (this.isOpen) this.o.dialog.close();
  }

  private fill(t: SamplingTexts): void {
    const o = this.o;
    o.temperature.value = t.temperature;
    o.topP.value = t.topP;
    o.topK.value = t.topK;
    o.maxTokens.value = t.maxTokens;
    o.stopSequences.value = t.stopSequences;
    for (const input of o.form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  }

  private applyLimits(l: SamplingLimits, ceiling: number): void {
    const o = this.o;
    const hints = samplingHints(l, ceiling);
    for (const [field, hint] of Object.entries(hints)) o.hints[field as SamplingField].textContent = hint;
    o.temperature.min = String(l.temperature_min);
    o.temperature.max = String(l.temperature_max);
    o.topP.min = String(l.top_p_min);
    o.topP.max = String(l.top_p_max);
    o.topK.min = String(l.top_k_min);
    o.maxTokens.min = "1";
    o.maxTokens.max = String(ceiling);
  }

  private field(field: SamplingField): HTMLElement {
    const o = this.o;
    const fields: Record<SamplingField, HTMLElement> = {
      temperature: o.temperature,
      "top-p": o.topP,
      "top-k": o.topK,
      "max-tokens": o.maxTokens,
      "stop-sequences": o.stopSequences,
    };
    return fields[field];
  }

  private async resetToDefaults(): Promise<void> {
    try {
      this.fill(samplingFields(await backend.getSettings()));
      this.showError(null);
      this.o.temperature.focus();
    } catch (err) {
      this.showError(t("The defaults could not be loaded: {reason}", { reason: toAppError(err).message }));
    }
  }

  private async save(): Promise<void> {
    const c = this.conversation;
    if (!c || this.busy) return;
    const o = this.o;
    const num = (input: HTMLInputElement) => ({ text: input.value, badInput: input.validity.badInput });
    const read = readSampling({
      temperature: num(o.temperature),
      topP: num(o.topP),
      topK: num(o.topK),
      maxTokens: num(o.maxTokens),
      stopSequences: o.stopSequences.value,
    });
    if (!read.ok) {
      this.showError(read.message, read.field);
      return;
    }
    this.busy = true;
    o.save.disabled = true;
    this.showError(null);
    try {
      const saved = await backend.updateConversationSettings(c.id, {
        model: c.model,
        sampling: read.sampling,
        ...(c.system_prompt ? { system_prompt: c.system_prompt } : {}),
      });
      o.onSaved(saved);
      this.close();
    } catch (err) {
      this.showError(toAppError(err).message);
    } finally {
      this.busy = false;
      o.save.disabled = false;
    }
  }

  private showError(message: string | null, field?: SamplingField): void {
    showInlineError(this.o.error, message);
    if (field) {
      const input = this.field(field);
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
  }
}
