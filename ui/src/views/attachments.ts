// Files attached to the message being written: the chips above the composer
// (#attachment-list), the Attach button (#attach-button) and its file input
// (#attach-file), files dropped anywhere on the window (with #drop-overlay)
// and files pasted into the composer. All three hand File objects to one
// AttachmentQueue (lib/attachments.ts), which reads them two at a time.
//
// The webview gets HTML5 drag and drop because tauri.conf.json turns Tauri's
// native file drop off for the window: File objects, no paths, so the
// webview needs no file-system access.
//
// `renderChip` also draws a sent message's attachments (conversation.ts).
// A file's name is only ever text (textContent, aria-label), never markup.

import * as backend from "../backend";
import { toAppError } from "../lib/errors";
import { key, t } from "../lib/i18n";
import { el, iconButton } from "../dom";
import {
  AttachmentQueue,
  summaryLabel,
  truncationNote,
  type Chip,
  type ChipState,
  type SendTicket,
} from "../lib/attachments";
import type { AppError, AttachmentDraft, AttachmentSummary, Trim } from "../types";

export interface AttachmentsOptions {
  list: HTMLElement;
  attachButton: HTMLButtonElement;
  fileInput: HTMLInputElement;
  dropOverlay: HTMLElement;
  /** Where a paste of files attaches them (the composer's textarea). */
  pasteTarget: HTMLElement;
  /** False while something modal is open: a drop is refused then. */
  canAttach(): boolean;
  /** A ready chip was clicked. */
  onPreview(draftId: string, name: string): void;
  /** Chips were added, removed or changed state (send gating). */
  onChange(): void;
}

export class Attachments {
  private readonly queue: AttachmentQueue;
  private readonly elements = new Map<number, HTMLElement>();
  /** dragenter/dragleave fire for every element crossed: the overlay shows while this is above 0. */
  private dragDepth = 0;

  constructor(private readonly o: AttachmentsOptions) {
    this.queue = new AttachmentQueue({
      extract: (name, bytes) => backend.extractAttachment(name, bytes),
      discard: (draftId) => backend.discardAttachment(draftId),
      onAdded: (chips) => this.added(chips),
      onUpdated: (chip) => this.updated(chip),
      onRemoved: (keys) => this.removed(keys),
    });
    o.list.hidden = true;
    o.attachButton.addEventListener("click", () => o.fileInput.click());
    o.fileInput.addEventListener("change", () => {
      const files = o.fileInput.files;
      if (files) this.add(files);
      o.fileInput.value = ""; // the same file can be picked again
    });
    o.list.addEventListener("click", (event) => this.onClick(event));
    o.list.addEventListener("submit", (event) => this.onUnlock(event));
    o.list.addEventListener("change", (event) => this.onOriginal(event));
    o.pasteTarget.addEventListener("paste", (event) => this.onPaste(event));
    document.addEventListener("dragenter", (event) => this.onDragEnter(event));
    document.addEventListener("dragover", (event) => this.onDragOver(event));
    document.addEventListener("dragleave", () => this.onDragLeave());
    document.addEventListener("drop", (event) => this.onDrop(event));
    document.addEventListener("dragend", () => this.hideOverlay());
  }

  /** Files still waiting or being read: Send waits for them. */
  get pending(): number {
    return this.queue.pending;
  }

  add(files: Iterable<File>): void {
    this.queue.add(files);
  }

  /** The drafts the next send would take (ready chips only). */
  get drafts(): AttachmentDraft[] {
    return this.queue.nextDrafts;
  }

  /** Tries the password typed on a locked PDF's chip. */
  private async unlock(draftId: string, password: string): Promise<void> {
    try {
      this.queue.updateDraft(await backend.unlockAttachment(draftId, password));
    } catch (err) {
      this.queue.refused(draftId, toAppError(err));
    }
  }

  /** Cuts a draft as asked (only ever on the user's click); its chip then says what was left out. */
  async trim(draftId: string, trim: Trim): Promise<void> {
    const draft = await backend.trimAttachment(draftId, trim);
    this.queue.updateDraft(draft);
  }

  /** The summaries of the chips a send took, to show on the pending message. */
  summaries(ticket: SendTicket): AttachmentSummary[] {
    const ids = new Set(ticket.draftIds);
    return this.queue.chips.flatMap((c) => (c.draft && ids.has(c.draft.draft_id) ? [c.draft.summary] : []));
  }

  /** See {@link AttachmentQueue.beginSend}. */
  beginSend(): SendTicket | null {
    return this.queue.beginSend();
  }

  /** See {@link AttachmentQueue.finishSend}. */
  finishSend(ticket: SendTicket, sent: boolean): void {
    this.queue.finishSend(ticket, sent);
  }

  /** After a language switch: every chip drawn again. */
  relabel(): void {
    for (const chip of this.queue.chips) this.updated(chip);
  }

  // --- the list ----------------------------------------------------------------

  private added(chips: readonly Chip[]): void {
    const fragment = document.createDocumentFragment();
    for (const chip of chips) {
      const element = renderDraftChip(chip);
      this.elements.set(chip.key, element);
      fragment.append(element);
    }
    this.o.list.append(fragment);
    this.changed();
  }

  private updated(chip: Chip): void {
    const old = this.elements.get(chip.key);
    if (!old) return;
    const element = renderDraftChip(chip);
    // Keep the keyboard where it was when a chip redraws under it.
    const focused = old.contains(document.activeElement) ? (document.activeElement as HTMLElement).className : null;
    old.replaceWith(element);
    this.elements.set(chip.key, element);
    if (focused) element.querySelector<HTMLElement>(`.${focused.split(" ")[0]}`)?.focus();
    this.changed();
  }

  private removed(keys: readonly number[]): void {
    for (const key of keys) {
      this.elements.get(key)?.remove();
      this.elements.delete(key);
    }
    this.changed();
  }

  private changed(): void {
    this.o.list.hidden = this.elements.size === 0;
    this.o.onChange();
  }

  private onClick(event: MouseEvent): void {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const item = target.closest<HTMLElement>(".attachment-chip");
    const chip = this.queue.find(Number(item?.dataset.key));
    if (!item || !chip) return;
    if (target.closest(".chip-remove")) {
      const next = item.nextElementSibling ?? item.previousElementSibling;
      if (!this.queue.remove(chip.key)) return;
      // The keyboard goes to the neighbouring chip, or back to the message.
      const focus = next?.querySelector<HTMLElement>(".chip-remove") ?? this.o.pasteTarget;
      focus.focus();
    } else if (target.closest(".chip-open") && chip.draft) {
      this.o.onPreview(chip.draft.draft_id, chip.name);
    }
  }

  private onOriginal(event: Event): void {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.classList.contains("chip-original")) return;
    const chip = this.queue.find(Number(box.closest<HTMLElement>(".attachment-chip")?.dataset.key));
    if (!chip?.draft) return;
    const on = box.checked;
    backend
      .setSendOriginal(chip.draft.draft_id, on)
      .then((draft) => this.queue.updateDraft(draft))
      .catch((err) => {
        box.checked = !on;
        if (chip.draft) this.queue.refused(chip.draft.draft_id, toAppError(err));
      });
  }

  private onUnlock(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    const item = form.closest<HTMLElement>(".attachment-chip");
    const chip = this.queue.find(Number(item?.dataset.key));
    const input = form.querySelector<HTMLInputElement>("input[type=password]");
    if (!chip?.draft || !input || input.value === "") return;
    void this.unlock(chip.draft.draft_id, input.value);
  }

  // --- paste and drop -------------------------------------------------------------

  private onPaste(event: ClipboardEvent): void {
    const data = event.clipboardData;
    if (!data || data.files.length === 0) return;
    // Text copied from an office program often comes with a picture of
    // itself: the text wins then, as the user meant to paste words.
    if (data.types.includes("text/plain")) return;
    event.preventDefault();
    this.add(Array.from(data.files));
  }

  private onDragEnter(event: DragEvent): void {
    if (!carriesFiles(event) || !this.o.canAttach()) return;
    event.preventDefault();
    this.dragDepth++;
    this.o.dropOverlay.hidden = false;
  }

  private onDragOver(event: DragEvent): void {
    // Whatever is dragged, the window never navigates to it.
    event.preventDefault();
    if (event.dataTransfer) {
      event.dataTransfer.dropEffect = carriesFiles(event) && this.o.canAttach() ? "copy" : "none";
    }
  }

  private onDragLeave(): void {
    if (this.dragDepth === 0) return;
    this.dragDepth--;
    if (this.dragDepth === 0) this.hideOverlay();
  }

  private onDrop(event: DragEvent): void {
    event.preventDefault();
    this.hideOverlay();
    const files = event.dataTransfer?.files;
    if (!files || files.length === 0 || !this.o.canAttach()) return;
    this.add(Array.from(files));
    this.o.pasteTarget.focus();
  }

  private hideOverlay(): void {
    this.dragDepth = 0;
    this.o.dropOverlay.hidden = true;
  }
}

function carriesFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes("Files");
}

// --- chips -------------------------------------------------------------------------

/** What a chip shows. */
export interface ChipView {
  name: string;
  state: ChipState;
  summary: AttachmentSummary | null;
  error: AppError | null;
  /** Opens the preview: a button around the name (ready chips only). */
  openable: boolean;
  /** Offers "Remove <name>" (the composer's chips); disabled while `locked`. */
  removable: boolean;
  locked: boolean;
  dataset: Record<string, string>;
}

const PENDING_TEXT: Partial<Record<ChipState, string>> = { waiting: key("Waiting…"), extracting: key("Reading…") };

/** One chip, as a list item of a `role="list"`. */
export function renderChip(v: ChipView): HTMLLIElement {
  const item = el("li", {
    className: "attachment-chip",
    attrs: { role: "listitem" },
    dataset: { ...v.dataset, state: v.state },
  });
  // The whole name on hover when the chip cuts it short (an attribute: text, never markup).
  const name = el("span", { className: "chip-name", text: v.name, attrs: { title: v.name } });
  const details = el("span", {
    className: "chip-details",
    text:
      v.state === "password"
        ? t("PDF · needs a password")
        : v.summary
          ? summaryLabel(v.summary)
          : t(PENDING_TEXT[v.state] ?? key("Not attached")),
  });
  if (v.openable) {
    item.append(
      el(
        "button",
        { className: "chip-open", attrs: { type: "button", "aria-haspopup": "dialog", title: t("Preview {name}", { name: v.name }) } },
        name,
        details,
      ),
    );
  } else {
    item.append(el("span", { className: "chip-main" }, name, details));
  }
  if (v.state === "waiting" || v.state === "extracting") {
    const label = v.state === "waiting" ? t("{name} is waiting to be read", { name: v.name }) : t("Reading {name}", { name: v.name });
    item.append(el("span", { className: "chip-progress", attrs: { role: "progressbar", "aria-label": label } }));
  } else if (v.state === "truncated" && v.summary) {
    item.append(el("span", { className: "chip-note", text: truncationNote(v.summary) }));
  } else if (v.state === "password") {
    // The file stays on the backend; only the password travels, on submit.
    const input = el("input", {
      className: "chip-password",
      attrs: { type: "password", autocomplete: "off", "aria-label": t("Password for {name}", { name: v.name }), placeholder: t("Password") },
    });
    const unlock = el("button", {
      className: "chip-unlock",
      text: t("Unlock"),
      attrs: { type: "submit", "aria-label": t("Unlock {name}", { name: v.name }) },
    });
    item.append(el("form", { className: "chip-unlock-form" }, input, unlock));
    if (v.error) item.append(el("span", { className: "chip-error", attrs: { role: "alert" }, text: v.error.message }));
  } else if (v.state === "error" && v.error) {
    item.append(el("span", { className: "chip-error", text: v.error.message }));
  }
  if (v.removable && v.summary?.kind.type === "pdf" && v.state !== "password") {
    // Opt-in: the model reads the pages themselves (images too); the text
    // goes instead, automatically, where the service refuses PDFs.
    const original = el("input", {
      className: "chip-original",
      attrs: { type: "checkbox", "aria-label": t("Send the original PDF of {name}", { name: v.name }) },
    });
    original.checked = v.summary.send_original;
    original.disabled = v.locked;
    const title = t("Send the PDF itself, not its text");
    item.append(el("label", { className: "chip-original-label", attrs: { title } }, original, t("Original")));
  }
  if (v.removable) {
    const remove = iconButton("close", t("Remove {name}", { name: v.name }), "chip-remove");
    remove.disabled = v.locked;
    item.append(remove);
  }
  return item;
}

function renderDraftChip(chip: Chip): HTMLLIElement {
  return renderChip({
    name: chip.name,
    state: chip.state,
    summary: chip.draft?.summary ?? null,
    error: chip.error,
    openable: chip.draft !== null && chip.state !== "password",
    removable: true,
    locked: chip.locked,
    dataset: { key: String(chip.key) },
  });
}

/**
 * A sent message's attachments: `role="list"` of chips that open the stored
 * attachment's preview (those with an id; a message still being sent has none yet).
 */
export function renderAttachmentList(summaries: readonly AttachmentSummary[]): HTMLElement {
  const list = el("ul", { className: "attachment-list message-attachments", attrs: { role: "list", "aria-label": t("Attachments") } });
  for (const s of summaries) {
    list.append(
      renderChip({
        name: s.name,
        state: s.truncated ? "truncated" : "ready",
        summary: s,
        error: null,
        openable: s.id !== undefined,
        removable: false,
        locked: false,
        dataset: s.id === undefined ? {} : { attachmentId: String(s.id) },
      }),
    );
  }
  return list;
}
