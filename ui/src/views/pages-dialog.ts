// "Pick pages…" (#pages-dialog, a modal <dialog>): keep only pages First to
// Last of a PDF draft that does not fit (trim_attachment with pages). The
// fields are checked against the draft's page count (lib/budget.ts); a
// refusal from the backend shows in the dialog, which stays open.

import { returnFocusTo, showInlineError, wireModalKeys } from "../dom";
import { readPageRange } from "../lib/budget";
import { toAppError } from "../lib/errors";
import { t, tn } from "../lib/i18n";
import type { AttachmentDraft, Trim } from "../types";

export interface PagesDialogOptions {
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  title: HTMLElement;
  hint: HTMLElement;
  first: HTMLInputElement;
  last: HTMLInputElement;
  error: HTMLElement;
  cancel: HTMLButtonElement;
  keep: HTMLButtonElement;
  trim(draftId: string, trim: Trim): Promise<void>;
}

export class PagesDialog {
  private draft: AttachmentDraft | null = null;
  private returnFocus: HTMLElement | null = null;
  private busy = false;

  constructor(private readonly o: PagesDialogOptions) {
    o.form.noValidate = true;
    o.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.keep();
    });
    o.cancel.addEventListener("click", () => this.close());
    wireModalKeys(o.dialog, () => this.close());
    o.dialog.addEventListener("close", () => {
      this.draft = null;
      returnFocusTo(this.returnFocus);
      this.returnFocus = null;
    });
    o.error.hidden = true;
  }

  get isOpen(): boolean {
    return this.o.dialog.open;
  }

  open(draft: AttachmentDraft): void {
    const pages = draft.summary.pages ?? 0;
    if (pages < 1) return;
    const o = this.o;
    this.draft = draft;
    this.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    o.title.textContent = t("Pick pages of {name}", { name: draft.summary.name });
    o.title.title = draft.summary.name;
    o.hint.textContent = t("It has {pages}; only the pages you pick are sent, and the file's chip says so.", {
      pages: tn(pages, "{n} page", "{n} pages"),
    });
    for (const input of [o.first, o.last]) {
      input.min = "1";
      input.max = String(pages);
      input.removeAttribute("aria-invalid");
    }
    o.first.value = "1";
    o.last.value = String(pages);
    this.showError(null);
    if (!this.isOpen) o.dialog.showModal();
    o.first.focus();
    o.first.select();
  }

  close(): void {
    if (this.isOpen) this.o.dialog.close();
  }

  private async keep(): Promise<void> {
    const draft = this.draft;
    if (!draft || this.busy) return;
    const o = this.o;
    const range = readPageRange(o.first.value, o.last.value, draft.summary.pages ?? 0);
    if (!range.ok) {
      const input = range.field === "first" ? o.first : o.last;
      input.setAttribute("aria-invalid", "true");
      this.showError(range.message);
      input.focus();
      return;
    }
    this.busy = true;
    o.keep.disabled = true;
    try {
      await o.trim(draft.draft_id, { type: "pages", first: range.first, last: range.last });
      this.close();
    } catch (err) {
      this.showError(toAppError(err).message);
    } finally {
      this.busy = false;
      o.keep.disabled = false;
    }
  }

  private showError(message: string | null): void {
    showInlineError(this.o.error, message);
  }
}
