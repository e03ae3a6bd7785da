// Dates as the conversation list shows them. Pure (the clock and the locale are
// parameters), so it is unit-tested under node.

import { intlLocale, t } from "./i18n";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Whole calendar days (local time) from `ts` to `now`; DST-safe. */
export function calendarDaysBetween(ts: number, now: number): number {
  const a = new Date(startOfDay(ts));
  const b = new Date(startOfDay(now));
  const utcA = Date.UTC(a.getFullYear(), a.getMonth(), a.getDate());
  const utcB = Date.UTC(b.getFullYear(), b.getMonth(), b.getDate());
  return Math.round((utcB - utcA) / (24 * HOUR));
}

/**
 * A short relative date for `ts` (milliseconds since the epoch) seen at `now`:
 * "just now", "5 min ago", "3 h ago" (same day), "Yesterday", a weekday within
 * the last week, "Mar 4" within the same year, else "Mar 4, 2023". Times a
 * little in the future (clock skew) count as "just now".
 */
export function formatRelative(ts: number, now: number, locale: string = intlLocale()): string {
  if (!Number.isFinite(ts)) return "";
  const diff = now - ts;
  if (diff < MINUTE && diff > -5 * MINUTE) return t("just now");
  const days = calendarDaysBetween(ts, now);
  if (diff > 0 && diff < HOUR) return t("{n} min ago", { n: Math.floor(diff / MINUTE) });
  if (diff > 0 && days === 0) return t("{n} h ago", { n: Math.floor(diff / HOUR) });
  if (days === 1) return t("Yesterday");
  const date = new Date(ts);
  if (days > 1 && days < 7) {
    return new Intl.DateTimeFormat(locale, { weekday: "long" }).format(date);
  }
  if (date.getFullYear() === new Date(now).getFullYear()) {
    return new Intl.DateTimeFormat(locale, { month: "short", day: "numeric" }).format(date);
  }
  return new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric" }).format(date);
}

/** The full local date and time, for tooltips. */
export function formatAbsolute(ts: number, locale: string = intlLocale()): string {
  if (!Number.isFinite(ts)) return "";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(new Date(ts));
}
