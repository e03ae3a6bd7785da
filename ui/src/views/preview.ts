// The attachment preview (#preview, a modal <dialog>): exactly what the model
// receives of a file, from preview_draft (a chip in the composer) or
// preview_attachment (a sent message's chip). Text goes in a <pre> as
// textContent; an image is an <img> from a data: URL (the CSP allows
// `img-src data:`). Escape and Close close it; focus returns to the chip.

import { el, returnFocusTo, wireModalKeys } from "../dom";
import { t } from "../lib/i18n";
import { imageDataUrl } from "../lib/attachments";
import { toAppError } from "../lib/errors";
import type { AttachmentPreview } from "../types";

export interface PreviewOptions {
  dialog: HTMLDialogElement;
  title: HTMLElement;
  meta: HTMLElement;
  body: HTMLElement;
  close: HTMLButtonElement;
}

export class PreviewDialog {
  /** Bumped per opening: a preview that arrives late for an earlier one is dropped. */
  private gen = 0;
  private returnFocus: HTMLElement | null = null;

  constructor(private readonly o: PreviewOptions) {
    o.close.addEventListener("click", () => this.close());
    wireModalKeys(o.dialog, () => this.close());
    o.dialog.addEventListener("close", () => {
      this.gen++;
      o.body.replaceChildren(); // a large text or image is not kept around
      returnFocusTo(this.returnFocus);
      this.returnFocus = null;
    });
  }

  get isOpen(): boolean {
    return this.o.dialog.open;
  }

  /** Opens at once with the file's name, then shows what `load` gives. */
  async open(name: string, load: () => Promise<AttachmentPreview>): Promise<void> {
    const gen = ++this.gen;
    const { dialog, title, meta, body } = this.o;
    if (!this.isOpen) this.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    dialog.setAttribute("aria-label", t("Preview of {name}", { name }));
    title.textContent = name;
    title.title = name;
    meta.textContent = t("Loading…");
    body.replaceChildren();
    dialog.setAttribute("aria-busy", "true");
    if (!this.isOpen) dialog.showModal();
    this.o.close.focus();
    let preview: AttachmentPreview;
    try {
      preview = await load();
    } catch (err) {
      if (gen !== this.gen) return;
      dialog.removeAttribute("aria-busy");
      meta.textContent = "";
      body.replaceChildren(el("p", { className: "preview-error", attrs: { role: "alert" }, text: toAppError(err).message }));
      return;
    }
    if (gen !== this.gen) return;
    dialog.removeAttribute("aria-busy");
    this.show(preview);
  }

  close(): void {
    if (this.isOpen) this.o.dialog.close();
  }

  private show(preview: AttachmentPreview): void {
    const { meta, body } = this.o;
    if (preview.type === "text") {
      meta.textContent = t("The text the model receives: {n} characters", { n: preview.text.length });
      // Focusable so the keyboard can scroll a long text.
      body.replaceChildren(el("pre", { className: "preview-text", text: preview.text, attrs: { tabindex: "0" } }));
      return;
    }
    const src = imageDataUrl(preview.media_type, preview.data);
    meta.textContent = t("The image the model receives: {width} × {height} px, {type}", {
      width: preview.width,
      height: preview.height,
      type: preview.media_type,
    });
    if (src === null) {
      body.replaceChildren(el("p", { className: "preview-error", attrs: { role: "alert" }, text: t("This image cannot be shown.") }));
      return;
    }
    const img = el("img", { className: "preview-image", attrs: { alt: preview.name } });
    img.src = src;
    body.replaceChildren(img);
  }
}
