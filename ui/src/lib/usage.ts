// The usage view's pure side: the backend's per-day, per-model records
// (usage_report) summed into a day series for the chart (every day of the
// period, empty ones as zero) and per-model totals for the table, and the
// rate-limit headroom in words. No DOM; unit-tested under node.

import type { Limit, RateLimits, UsageRecord } from "../types";
import { costLabel } from "./budget";
import { formatCount as n, key, t } from "./i18n";

export interface DayTotal {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  tokens: number;
  costUsd: number;
}

export interface ModelTotal {
  model: string;
  messages: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  costUsd: number;
  /** Replies without a known price: the cost is a lower bound. */
  unpriced: number;
}

export interface UsageSummary {
  days: DayTotal[];
  models: ModelTotal[];
  totalTokens: number;
  totalCostUsd: number;
  /** Some reply had no price, so the cost shown is at least this. */
  partialCost: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;
function tokensOf(r: UsageRecord): number {
  return r.input_tokens + r.output_tokens + r.cache_creation_input_tokens + r.cache_read_input_tokens;
}

/** The last `days` UTC days ending with `now`'s, oldest first. */
export function periodDays(days: number, now: number): string[] {
  const out: string[] = [];
  for (let i = days - 1; i >= 0; i--) out.push(new Date(now - i * DAY_MS).toISOString().slice(0, 10));
  return out;
}

export function summarize(records: readonly UsageRecord[], days: number, now: number): UsageSummary {
  const byDay = new Map(periodDays(days, now).map((day) => [day, { day, tokens: 0, costUsd: 0 }]));
  const byModel = new Map<string, ModelTotal>();
  let partialCost = false;
  for (const r of records) {
    const d = byDay.get(r.day);
    if (d) {
      d.tokens += tokensOf(r);
      d.costUsd += r.cost_usd ?? 0;
    }
    let m = byModel.get(r.model);
    if (!m) {
      m = { model: r.model, messages: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0, unpriced: 0 };
      byModel.set(r.model, m);
    }
    m.messages += r.messages;
    m.inputTokens += r.input_tokens;
    m.outputTokens += r.output_tokens;
    m.cacheReadTokens += r.cache_read_input_tokens;
    m.cacheWriteTokens += r.cache_creation_input_tokens;
    m.costUsd += r.cost_usd ?? 0;
    m.unpriced += r.unpriced_messages;
    if (r.unpriced_messages > 0) partialCost = true;
  }
  const models = [...byModel.values()].sort((a, b) => b.inputTokens + b.outputTokens - (a.inputTokens + a.outputTokens));
  const dayList = [...byDay.values()];
  return {
    days: dayList,
    models,
    totalTokens: dayList.reduce((sum, d) => sum + d.tokens, 0),
    totalCostUsd: dayList.reduce((sum, d) => sum + d.costUsd, 0),
    partialCost,
  };
}

/** A model's cost cell: `~$0.12`, `≥ ~$0.12` when some replies had no price, `—` when none had. */
export function costCell(m: Pick<ModelTotal, "costUsd" | "unpriced" | "messages">): string {
  if (m.unpriced >= m.messages) return "—";
  return m.unpriced > 0 ? `≥ ${costLabel(m.costUsd)}` : costLabel(m.costUsd);
}

/** Each limit the service reported, as "Requests: 48 of 50 left". */
export function limitLines(limits: RateLimits | null): string[] {
  if (!limits) return [];
  const line = (name: string, l: Limit | undefined) => {
    if (!l || (l.limit === undefined && l.remaining === undefined)) return null;
    const left =
      l.remaining === undefined
        ? t("limit {limit}", { limit: n(l.limit ?? 0) })
        : l.limit === undefined
          ? t("{left} left", { left: n(l.remaining) })
          : t("{left} of {limit} left", { left: n(l.remaining), limit: n(l.limit) });
    return `${t(name)}: ${left}`;
  };
  return [
    line(key("Requests"), limits.requests),
    line(key("Tokens"), limits.tokens),
    line(key("Input tokens"), limits.input_tokens),
    line(key("Output tokens"), limits.output_tokens),
  ].filter((l): l is string => l !== null);
}
