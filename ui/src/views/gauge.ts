// The context gauge under the composer (#context-gauge, a role="meter"
// labelled "Context used"): the tokens the next send would put in the
// model's window, out of the window, and the input's price, from
// estimate_send (lib/budget.ts asks it again as the message changes).
//
// When the message does not fit, Send is disabled (`onFits`) and
// #budget-alert (role="alert") says so and offers the ways out: remove a
// file (its chip's own button), "Cut to fit" on the largest text draft
// (trim_attachment to what the window has left for it) and, for a PDF,
// "Pick pages…" (views/pages-dialog.ts). Nothing is ever cut without that
// click.

import { el } from "../dom";
import { toAppError } from "../lib/errors";
import { formatNumber, t } from "../lib/i18n";
import {
  cutToFitTokens,
  doesNotFitText,
  gaugeFraction,
  gaugeText,
  gaugeTitle,
  largestTextDraft,
  pdfDrafts,
} from "../lib/budget";
import type { AppError, AttachmentDraft, SendBudget, Trim } from "../types";

export interface GaugeOptions {
  /** #context-gauge: the meter, with `.gauge-fill` and `.gauge-text` inside. */
  meter: HTMLElement;
  alert: HTMLElement;
  /** The drafts the next send would take. */
  drafts(): AttachmentDraft[];
  trim(draftId: string, trim: Trim): Promise<void>;
  /** "Pick pages…" of a PDF draft was clicked. */
  onPickPages(draft: AttachmentDraft): void;
  /** Why Send must wait (null: it may go). */
  onFits(reason: string | null): void;
  onError(error: AppError): void;
}

export class Gauge {
  private readonly fill: HTMLElement;
  private readonly text: HTMLElement;
  private budget: SendBudget | null = null;
  private trimming = false;

  constructor(private readonly o: GaugeOptions) {
    this.fill = o.meter.querySelector<HTMLElement>(".gauge-fill") ?? el("span");
    this.text = o.meter.querySelector<HTMLElement>(".gauge-text") ?? el("span");
    o.meter.hidden = true;
    o.alert.hidden = true;
  }

  /** After a language switch: the same budget, in the new words. */
  relabel(): void {
    this.show(this.budget);
  }

  /** Shows an answer of estimate_send, or nothing (null: nothing to weigh, or no answer). */
  show(budget: SendBudget | null): void {
    this.budget = budget;
    const { meter } = this.o;
    if (!budget) {
      meter.hidden = true;
      this.showAlert(null);
      this.o.onFits(null);
      return;
    }
    meter.hidden = false;
    meter.setAttribute("aria-valuemin", "0");
    meter.setAttribute("aria-valuemax", String(budget.context_window));
    meter.setAttribute("aria-valuenow", String(Math.min(budget.input_tokens, budget.context_window)));
    const label = gaugeText(budget);
    meter.setAttribute("aria-valuetext", label);
    meter.title = gaugeTitle(budget);
    meter.dataset.fits = String(budget.fits);
    meter.dataset.counted = String(budget.counted);
    this.text.textContent = label;
    // CSSOM writes are allowed by the CSP (style attributes in markup are not).
    this.fill.style.width = `${(gaugeFraction(budget) * 100).toFixed(1)}%`;
    this.showAlert(budget.fits ? null : budget);
    this.o.onFits(budget.fits ? null : doesNotFitText(budget, this.o.drafts().length > 0));
  }

  private showAlert(budget: SendBudget | null): void {
    const { alert } = this.o;
    if (!budget) {
      alert.hidden = true;
      alert.replaceChildren();
      return;
    }
    const drafts = this.o.drafts();
    const actions = el("div", { className: "budget-actions" });
    const largest = largestTextDraft(drafts);
    if (largest) {
      const keep = cutToFitTokens(budget, largest.summary.tokens);
      const cut = el("button", {
        className: "budget-cut",
        text: t("Cut to fit"),
        attrs: { type: "button", title: t("Keep about {n} tokens of “{name}”", { n: formatNumber(keep), name: largest.summary.name }) },
      });
      cut.disabled = this.trimming;
      cut.addEventListener("click", () => void this.cut(largest.draft_id, { type: "tokens", max: keep }));
      actions.append(cut);
    }
    const pdfs = pdfDrafts(drafts);
    for (const pdf of pdfs) {
      const name = pdf.summary.name;
      const label = pdfs.length === 1 ? t("Pick pages…") : t("Pick pages of {name}…", { name });
      const pick = el("button", {
        className: "budget-pages",
        text: label,
        attrs: { type: "button", "aria-haspopup": "dialog", title: t("Keep only some pages of “{name}”", { name }) },
      });
      pick.disabled = this.trimming;
      pick.addEventListener("click", () => this.o.onPickPages(pdf));
      actions.append(pick);
    }
    const parts: Node[] = [el("p", { className: "budget-alert-text", text: doesNotFitText(budget, drafts.length > 0) })];
    if (drafts.length > 0) {
      parts.push(el("p", { className: "budget-alert-hint", text: t("A file's × button removes it from the message.") }));
    }
    if (actions.childElementCount > 0) parts.push(actions);
    alert.replaceChildren(...parts);
    alert.hidden = false;
  }

  private async cut(draftId: string, trim: Trim): Promise<void> {
    if (this.trimming) return;
    this.trimming = true;
    this.showAlert(this.budget && !this.budget.fits ? this.budget : null);
    try {
      await this.o.trim(draftId, trim);
    } catch (err) {
      this.o.onError(toAppError(err));
    } finally {
      this.trimming = false;
    }
    // The chip's change asks for a new budget; until it comes, the buttons work again.
    if (this.budget && !this.budget.fits) this.showAlert(this.budget);
  }
}
