// The composer: an auto-growing textarea (#composer-input), Send (#send-button)
// and Stop (#stop-button), and the model picker (#model-select).
//
// Enter sends, Shift+Enter inserts a newline (and so does Enter while an input
// method is composing). Up in an empty composer edits the last message sent. While a reply is streaming the composer is disabled and
// only Stop is active. The text is taken out when sending; if sending fails it
// is put back (`restoreText`), so the user never loses what they typed.
//
// Attached files (views/attachments.ts) gate sending: while one is still being
// read Send is disabled (and Enter does nothing). Files alone are a message
// (the text may be empty then). A message that does not fit the context
// window (views/gauge.ts) disables Send too, with the reason as its title.
//
// A system prompt chosen for the next message (a one-click analysis, or the
// header's dialog for a new chat) shows as a note, "System prompt: <name>",
// with a button that clears it; it goes with the send and stays until the
// message is stored.

import { el, iconButton } from "../dom";
import { t } from "../lib/i18n";
import { modelChoices } from "../lib/models";
import type { ModelInfo } from "../types";

export interface ComposerOptions {
  form: HTMLFormElement;
  input: HTMLTextAreaElement;
  send: HTMLButtonElement;
  stop: HTMLButtonElement;
  modelSelect: HTMLSelectElement;
  /** Where the note about the next message's system prompt shows. */
  systemNote: HTMLElement;
  onSend(text: string, model: string | null, systemPrompt: string | null): void;
  onStop(): void;
  /** The text changed (typed, restored, filled in). */
  onInput(): void;
  /** Another model was picked. */
  onModelChange(): void;
  /** The next message's system prompt was chosen or cleared. */
  onSystemPromptChange(): void;
  /** Up in the empty composer: edit the last message; false if there is none. */
  onEditLast(): boolean;
}

/** A system prompt for the next message, and what to call it in the note. */
export interface PendingSystemPrompt {
  name: string;
  text: string;
}

/** Past this height the textarea scrolls instead of growing (CSS caps it too). */
const MAX_HEIGHT_PX = 320;

export class Composer {
  private busy = false;
  private defaultModel: string | null = null;
  /** Attached files still being read. */
  private attachmentsPending = 0;
  /** Attached files ready to go. */
  private attachmentsReady = 0;
  /** Why Send is disabled (the message does not fit), or null. */
  private blocked: string | null = null;
  private pendingSystem: PendingSystemPrompt | null = null;

  constructor(private readonly o: ComposerOptions) {
    o.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    o.input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowUp" && o.input.value === "" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
        if (!this.busy && o.onEditLast()) event.preventDefault();
        return;
      }
      if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
      if (event.shiftKey || event.altKey) return; // newline
      event.preventDefault();
      this.submit();
    });
    o.input.addEventListener("input", () => {
      this.autoGrow();
      this.updateSendEnabled();
      o.onInput();
    });
    o.stop.addEventListener("click", () => o.onStop());
    o.modelSelect.addEventListener("change", () => o.onModelChange());
    o.systemNote.hidden = true;
    this.setBusy(false);
  }

  /** Fills the model picker. Keeps the current choice if it is still offered. */
  setModels(models: ModelInfo[], defaultModel: string): void {
    this.defaultModel = defaultModel;
    const select = this.o.modelSelect;
    const chosen = select.value || defaultModel;
    // Models not reachable through the Messages API are left out (unless
    // nothing else is listed); the default and the current choice stay.
    const options = modelChoices(models, [defaultModel, chosen]).map((m) =>
      el("option", { text: m.label, attrs: { value: m.id } }),
    );
    select.replaceChildren(...options);
    select.value = chosen;
  }

  /** Selects `model`, adding it to the picker if it is not offered. */
  setModel(model: string | null): void {
    const id = model ?? this.defaultModel;
    if (!id) return;
    const select = this.o.modelSelect;
    if (!Array.from(select.options).some((o) => o.value === id)) {
      select.append(el("option", { text: id, attrs: { value: id } }));
    }
    select.value = id;
  }

  /** Back to the app's default model (for a new chat). */
  resetModel(): void {
    this.setModel(this.defaultModel);
  }

  /** The model picked for the next reply. */
  get model(): string | null {
    return this.o.modelSelect.value || this.defaultModel;
  }

  get isBusy(): boolean {
    return this.busy;
  }

  /** While busy (a reply streaming) everything but Stop is disabled. */
  setBusy(busy: boolean): void {
    this.busy = busy;
    const { input, stop, modelSelect, form } = this.o;
    input.disabled = busy;
    modelSelect.disabled = busy;
    stop.hidden = !busy;
    stop.disabled = !busy;
    form.dataset.busy = busy ? "1" : "0";
    this.updateSendEnabled();
  }

  /** Send waits while `pending` attached files are still being read; `ready` ones can go without text. */
  setAttachments(pending: number, ready: number): void {
    this.attachmentsPending = pending;
    this.attachmentsReady = ready;
    this.o.form.dataset.files = ready > 0 ? "1" : "0";
    this.updateSendEnabled();
  }

  /** Disables Send for `reason` (the message does not fit), or enables it again (null). */
  setBlocked(reason: string | null): void {
    this.blocked = reason;
    this.updateSendEnabled();
  }

  /** The text as typed so far. */
  get text(): string {
    return this.o.input.value;
  }

  /** Replaces the text (a one-click analysis' question) and puts the caret at its end, ready to edit. */
  setText(text: string): void {
    const { input } = this.o;
    input.value = text;
    this.autoGrow();
    this.updateSendEnabled();
    this.focus();
    input.setSelectionRange(text.length, text.length);
    this.o.onInput();
  }

  /** The system prompt the next message sets, or null. */
  get systemPrompt(): PendingSystemPrompt | null {
    return this.pendingSystem;
  }

  /** Chooses (or, with null, clears) the system prompt the next message sets. */
  setSystemPrompt(choice: PendingSystemPrompt | null): void {
    this.pendingSystem = choice;
    this.renderSystemNote();
    this.o.onSystemPromptChange();
  }

  /** After a language switch: the composer's own words again. */
  relabel(): void {
    this.renderSystemNote();
    this.updateSendEnabled();
  }

  private renderSystemNote(): void {
    const choice = this.pendingSystem;
    const note = this.o.systemNote;
    if (!choice) {
      note.hidden = true;
      note.replaceChildren();
    } else {
      const clear = iconButton("close", t("Clear system prompt"), "system-note-clear");
      clear.addEventListener("click", () => {
        this.setSystemPrompt(null);
        this.focus();
      });
      note.replaceChildren(
        el("span", { className: "system-note-text", text: t("System prompt: {name}", { name: choice.name }), attrs: { title: choice.text } }),
        clear,
      );
      note.hidden = false;
    }
  }

  /** Puts text back after a failed send, before anything typed since. */
  restoreText(text: string): void {
    const { input } = this.o;
    const current = input.value;
    if (current.trim() === "") input.value = text;
    else if (!current.startsWith(text)) input.value = `${text}\n${current}`;
    this.autoGrow();
    this.updateSendEnabled();
    this.o.onInput();
  }

  focus(): void {
    if (!this.o.input.disabled) this.o.input.focus();
  }

  private submit(): void {
    if (this.busy || this.attachmentsPending > 0 || this.blocked !== null) return;
    const text = this.o.input.value;
    if (text.trim() === "" && this.attachmentsReady === 0) return;
    const model = this.model;
    this.o.input.value = "";
    this.autoGrow();
    this.updateSendEnabled();
    this.o.onSend(text, model, this.pendingSystem?.text ?? null);
  }

  private updateSendEnabled(): void {
    // Disabled only while busy or reading files: an empty input just does
    // nothing on click (CSS dims the button then), so scripted input that
    // skips events still sends.
    const { send } = this.o;
    send.disabled = this.busy || this.attachmentsPending > 0 || this.blocked !== null;
    if (this.attachmentsPending > 0) send.title = t("Waiting for the attached files to be read");
    else if (this.blocked !== null) send.title = this.blocked;
    else send.removeAttribute("title");
  }

  private autoGrow(): void {
    const { input } = this.o;
    // CSSOM writes are allowed by the CSP (only style attributes in markup are not).
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, MAX_HEIGHT_PX)}px`;
  }
}
