// The context gauge's pure side: its wording, what "Cut to fit" keeps, the
// page range a PDF is cut to, and the scheduler that asks estimate_send
// again when the message changes, dropping answers that came too late. No
// DOM (unit-tested under node); every number comes from the backend's
// SendBudget or the draft's summary, none is restated here.

import type { AttachmentDraft, SendBudget } from "../types";
import { formatCount as n, formatNumber, t } from "./i18n";
import { Latest, debounce } from "./util";

/** `~$0.04`, `<$0.01` for a price that rounds to nothing. */
export function costLabel(usd: number): string {
  if (usd > 0 && usd < 0.005) return "<$0.01";
  return `~$${formatNumber(usd, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** `12,345 / 200,000 tokens · ~$0.04`, and `(estimate)` when the service did not count. */
export function gaugeText(b: SendBudget): string {
  let text = t("{used} / {window} tokens", { used: n(b.input_tokens), window: n(b.context_window) });
  if (b.input_cost_usd !== undefined) text += ` · ${costLabel(b.input_cost_usd)}`;
  if (!b.counted) text += ` ${t("(estimate)")}`;
  return text;
}

/** The gauge's tooltip: what the numbers are. */
export function gaugeTitle(b: SendBudget): string {
  const parts = [
    b.counted
      ? t("The message with its files and the conversation so far: {n} tokens (counted by the service).", { n: n(b.input_tokens) })
      : t("The message with its files and the conversation so far: {n} tokens (estimated locally).", { n: n(b.input_tokens) }),
    t("The reply may take up to {max} more; the model's window is {window}.", { max: n(b.max_tokens), window: n(b.context_window) }),
  ];
  if (b.max_output_cost_usd !== undefined) {
    parts.push(t("The longest reply would cost {cost} more.", { cost: costLabel(b.max_output_cost_usd) }));
  }
  return parts.join(" ");
}

/** The meter's fill, 0 to 1 (the reply's budget not included). */
export function gaugeFraction(b: SendBudget): number {
  if (b.context_window <= 0) return 1;
  return Math.min(1, Math.max(0, b.input_tokens / b.context_window));
}

/** Why Send is disabled, in a sentence, and what to do (`withFiles`: files are attached). */
export function doesNotFitText(b: SendBudget, withFiles: boolean): string {
  const what = withFiles
    ? t("Remove a file or cut one to fit.")
    : t("Shorten the message, pick a model with a larger window, or start a new chat.");
  const fit = t("This message does not fit: {n} tokens plus up to {max} for the reply, and the model's window holds {window}.", {
    n: n(b.input_tokens),
    max: n(b.max_tokens),
    window: n(b.context_window),
  });
  return `${fit} ${what}`;
}

/**
 * The tokens "Cut to fit" leaves a file of `fileTokens`: what the window
 * holds once the reply's budget and everything else are counted, at least 1.
 */
export function cutToFitTokens(b: SendBudget, fileTokens: number): number {
  const others = Math.max(0, b.input_tokens - fileTokens);
  return Math.max(1, Math.floor(b.context_window - b.max_tokens - others));
}

/** The draft "Cut to fit" offers to cut: the largest one with text (not an image). */
export function largestTextDraft(drafts: readonly AttachmentDraft[]): AttachmentDraft | null {
  let best: AttachmentDraft | null = null;
  for (const d of drafts) {
    if (d.summary.kind.type === "image") continue;
    if (!best || d.summary.tokens > best.summary.tokens) best = d;
  }
  return best;
}

/** The PDF drafts with pages, for "Pick pages…" (the largest first). */
export function pdfDrafts(drafts: readonly AttachmentDraft[]): AttachmentDraft[] {
  return drafts
    .filter((d) => d.summary.kind.type === "pdf" && (d.summary.pages ?? 0) > 0)
    .sort((a, b) => b.summary.tokens - a.summary.tokens);
}

export type PageRange = { ok: true; first: number; last: number } | { ok: false; message: string; field: "first" | "last" };

/** Reads the page picker's two fields against a PDF of `pages` pages. */
export function readPageRange(firstText: string, lastText: string, pages: number): PageRange {
  const read = (text: string) => (/^\s*\d+\s*$/.test(text) ? Number(text) : NaN);
  const first = read(firstText);
  const last = read(lastText);
  const p = { pages: String(pages) };
  if (!Number.isInteger(first) || first < 1 || first > pages) {
    return { ok: false, field: "first", message: t("First page must be a page number from 1 to {pages}.", p) };
  }
  if (!Number.isInteger(last) || last < 1 || last > pages) {
    return { ok: false, field: "last", message: t("Last page must be a page number from 1 to {pages}.", p) };
  }
  if (last < first) return { ok: false, field: "last", message: t("Last page must not come before the first.") };
  return { ok: true, first, last };
}

/** What a send would be made of, as estimate_send takes it. */
export interface BudgetInput {
  conversationId: number | null;
  text: string;
  model: string | null;
  attachments: readonly string[];
  /** A system prompt the send would set (a one-click analysis, a new chat's preset). */
  systemPrompt: string | null;
}

export interface BudgetWatchOptions {
  estimate(input: BudgetInput): Promise<SendBudget>;
  /** The latest answer (null: nothing to weigh, or the estimate failed). */
  onBudget(budget: SendBudget | null, input: BudgetInput): void;
  /** The pause after typing before asking again. */
  debounceMs: number;
}

/**
 * Asks for the budget when the message changes: at once for a file, a
 * conversation or a model, after a pause for typing. Only the latest
 * question's answer is shown; an identical question is not asked twice.
 */
export class BudgetWatch {
  private readonly latest = new Latest();
  private lastKey: string | null = null;
  private readonly later: ReturnType<typeof debounce<[BudgetInput]>>;

  constructor(private readonly o: BudgetWatchOptions) {
    this.later = debounce((input: BudgetInput) => void this.ask(input), o.debounceMs);
  }

  /** The message changed: `typing` waits for a pause. */
  changed(input: BudgetInput, typing = false): void {
    if (typing) {
      this.later(input);
      return;
    }
    this.later.cancel();
    void this.ask(input);
  }

  /** Forget the last answer so the next change asks again (after a send). */
  invalidate(): void {
    this.lastKey = null;
  }

  private async ask(input: BudgetInput): Promise<void> {
    const key = JSON.stringify(input);
    if (key === this.lastKey) return;
    const token = this.latest.next();
    this.lastKey = key;
    if (isEmpty(input)) {
      this.o.onBudget(null, input);
      return;
    }
    let budget: SendBudget | null;
    try {
      budget = await this.o.estimate(input);
    } catch (err) {
      console.warn("estimate_send failed", err);
      budget = null;
      if (this.latest.isCurrent(token)) this.lastKey = null; // asked again next time
    }
    if (this.latest.isCurrent(token)) this.o.onBudget(budget, input);
  }
}

/** A new chat with nothing typed or attached: nothing to weigh. */
function isEmpty(input: BudgetInput): boolean {
  return input.conversationId === null && input.text.trim() === "" && input.attachments.length === 0;
}
