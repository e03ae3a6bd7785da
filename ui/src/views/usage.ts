// The usage view (#usage-dialog, from "Usage" in the sidebar): tokens per
// day as a bar chart, tokens and cost per model as a table, and the rate
// limits the service last reported. The numbers come from usage_report and
// rate_limits; lib/usage.ts sums and words them.

import { el, returnFocusTo, showInlineError, wireModalKeys } from "../dom";
import { costLabel } from "../lib/budget";
import { toAppError } from "../lib/errors";
import { formatCount as n, intlLocale, t, tn } from "../lib/i18n";
import { costCell, limitLines, summarize } from "../lib/usage";
import type { RateLimits, UsageRecord } from "../types";

export interface UsageDialogOptions {
  dialog: HTMLDialogElement;
  period: HTMLSelectElement;
  total: HTMLElement;
  chart: HTMLElement;
  table: HTMLTableElement;
  limits: HTMLElement;
  error: HTMLElement;
  close: HTMLButtonElement;
  report(days: number): Promise<UsageRecord[]>;
  rateLimits(): Promise<RateLimits | null>;
}

/** A `YYYY-MM-DD` (UTC) day in the current language's date format. */
function dayLabel(day: string): string {
  const at = Date.parse(`${day}T00:00:00Z`);
  if (!Number.isFinite(at)) return day;
  return new Intl.DateTimeFormat(intlLocale(), { dateStyle: "medium", timeZone: "UTC" }).format(at);
}

export class UsageDialog {
  private returnFocus: HTMLElement | null = null;
  private gen = 0;

  constructor(private readonly o: UsageDialogOptions) {
    o.close.addEventListener("click", () => this.close());
    o.period.addEventListener("change", () => void this.load());
    wireModalKeys(o.dialog, () => this.close());
    o.dialog.addEventListener("close", () => returnFocusTo(this.returnFocus));
  }

  async open(): Promise<void> {
    this.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!this.o.dialog.open) this.o.dialog.showModal();
    this.o.period.focus();
    await this.load();
  }

  close(): void {
    if (this.o.dialog.open) this.o.dialog.close();
  }

  private async load(): Promise<void> {
    const gen = ++this.gen;
    const days = Number(this.o.period.value) || 30;
    this.o.dialog.setAttribute("aria-busy", "true");
    try {
      const [records, limits] = await Promise.all([this.o.report(days), this.o.rateLimits()]);
      if (gen !== this.gen) return;
      showInlineError(this.o.error, null);
      this.render(records, days, limits);
    } catch (err) {
      if (gen === this.gen) showInlineError(this.o.error, toAppError(err).message);
    } finally {
      if (gen === this.gen) this.o.dialog.removeAttribute("aria-busy");
    }
  }

  private render(records: UsageRecord[], days: number, limits: RateLimits | null): void {
    const s = summarize(records, days, Date.now());
    const cost = s.partialCost ? t("at least {cost}", { cost: costLabel(s.totalCostUsd) }) : costLabel(s.totalCostUsd);
    this.o.total.textContent = tn(days, "{tokens} tokens, {cost}, in the last {n} day", "{tokens} tokens, {cost}, in the last {n} days", {
      tokens: n(s.totalTokens),
      cost,
    });

    const peak = Math.max(1, ...s.days.map((d) => d.tokens));
    const bars = s.days.map((d) => {
      const bar = el("div", {
        className: "usage-bar",
        attrs: { title: t("{day}: {tokens} tokens, {cost}", { day: dayLabel(d.day), tokens: n(d.tokens), cost: costLabel(d.costUsd) }) },
        dataset: { day: d.day, tokens: String(d.tokens) },
      });
      // A CSSOM write, which the CSP allows (style attributes are not).
      bar.style.height = `${((d.tokens / peak) * 100).toFixed(1)}%`;
      return bar;
    });
    this.o.chart.replaceChildren(...bars);
    this.o.chart.setAttribute("aria-label", t("Tokens per day: most {n} on one day", { n: n(peak) }));

    const body = this.o.table.tBodies[0] ?? this.o.table.createTBody();
    const rows = s.models.map((m) =>
      el(
        "tr",
        { dataset: { model: m.model } },
        el("th", { text: m.model, attrs: { scope: "row" } }),
        el("td", { text: n(m.messages) }),
        el("td", { text: n(m.inputTokens) }),
        el("td", { text: n(m.outputTokens) }),
        el("td", { text: `${n(m.cacheReadTokens)} / ${n(m.cacheWriteTokens)}` }),
        el("td", { text: costCell(m) }),
      ),
    );
    if (rows.length === 0) rows.push(el("tr", {}, el("td", { text: t("Nothing sent in this period."), attrs: { colspan: "6" } })));
    body.replaceChildren(...rows);

    const lines = limitLines(limits);
    const list = this.o.limits.querySelector("ul") ?? this.o.limits;
    list.replaceChildren(
      ...(lines.length > 0 ? lines : [t("The service has not reported its limits yet; they show after a reply.")]).map((line) =>
        el("li", { text: line }),
      ),
    );
  }
}
