// What a reply's footer says, from its MessageView: the model, the tokens
// (cache reads and writes when there were any), the cost the backend worked
// out from the model list's price, the time to the first token and the
// pace. Pure (unit-tested under node); nothing here is estimated: a fact the
// backend did not give is left out.

import type { MessageView } from "../types";
import { costLabel } from "./budget";
import { formatCount as n, formatNumber, t } from "./i18n";

/** The footer's parts, in reading order; empty for a message without usage. */
export function messageFacts(m: MessageView): string[] {
  const facts: string[] = [];
  if (m.model) facts.push(m.model);
  const u = m.usage;
  if (u) {
    facts.push(t("{input} in · {output} out", { input: n(u.input_tokens), output: n(u.output_tokens) }));
    const cache: string[] = [];
    if ((u.cache_read_input_tokens ?? 0) > 0) cache.push(t("{n} read", { n: n(u.cache_read_input_tokens ?? 0) }));
    if ((u.cache_creation_input_tokens ?? 0) > 0) cache.push(t("{n} written", { n: n(u.cache_creation_input_tokens ?? 0) }));
    if (cache.length > 0) facts.push(t("cache {parts}", { parts: cache.join(", ") }));
  }
  if (m.cost_usd !== undefined) facts.push(costLabel(m.cost_usd));
  const first = m.first_token_at;
  if (first !== undefined && first >= m.created_at) {
    const secs = formatNumber((first - m.created_at) / 1000, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    facts.push(t("{s} s to first token", { s: secs }));
    const streamed = m.finished_at !== undefined ? (m.finished_at - first) / 1000 : 0;
    if (u && u.output_tokens > 0 && streamed > 0) facts.push(t("{n} tokens/s", { n: n(u.output_tokens / streamed) }));
  }
  return facts;
}
