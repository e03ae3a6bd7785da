// The window's languages: English (the source text) and Russian. Pure (no DOM),
// unit-tested under node.
//
// Strings are keyed by their English text, so the code reads as what it shows
// and a missing translation falls back to English instead of a key name.
// `test/i18n.test.ts` scans the sources for every `t(...)`/`tn(...)` literal and
// every string of the static page and checks each has its Russian entry.

import { RU } from "./ru";

export type Locale = "en" | "ru";
export const LOCALES: readonly Locale[] = ["en", "ru"];

/** Values for `{name}` placeholders. */
export type Params = Readonly<Record<string, string | number>>;

let current: Locale = "en";
const listeners = new Set<() => void>();

export function locale(): Locale {
  return current;
}

/** The BCP 47 tag for `Intl` formatters. */
export function intlLocale(): string {
  return current === "ru" ? "ru-RU" : "en-US";
}

/** Switches the language; listeners re-render what they own. */
export function setLocale(next: Locale): void {
  if (next === current) return;
  current = next;
  for (const fn of [...listeners]) fn();
}

/** Calls `fn` after every switch; returns the unsubscribe. */
export function onLocaleChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * The language to show for a setting ("system", "en", "ru"): an explicit
 * choice wins; "system" takes the first of the system's languages we have,
 * else English.
 */
export function resolveLocale(setting: string, systemLanguages: readonly string[]): Locale {
  if (setting === "en" || setting === "ru") return setting;
  for (const tag of systemLanguages) {
    const base = tag.toLowerCase().split(/[-_.@]/)[0];
    if (base === "ru") return "ru";
    if (base === "en") return "en";
  }
  return "en";
}

function fill(text: string, params: Params | undefined): string {
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? formatValue(params[name] as string | number) : whole,
  );
}

function formatValue(value: string | number): string {
  return typeof value === "number" ? formatNumber(value) : value;
}

/**
 * Marks a string kept in a table and translated later with `t(value)`, so
 * the catalogue test finds it. Returns it unchanged.
 */
export function key<T extends string>(english: T): T {
  return english;
}

/** `english` in the current language, with `{name}` placeholders filled. */
export function t(english: string, params?: Params): string {
  if (current === "ru") {
    const ru = RU[english];
    if (typeof ru === "string") return fill(ru, params);
  }
  return fill(english, params);
}

const rules = new Map<Locale, Intl.PluralRules>();
function pluralCategory(n: number): Intl.LDMLPluralRule {
  let r = rules.get(current);
  if (!r) {
    r = new Intl.PluralRules(intlLocale());
    rules.set(current, r);
  }
  return r.select(n);
}

/**
 * A count with its noun: `tn(n, "{n} message", "{n} messages")`. Russian
 * takes three forms (one, few, many: 1 сообщение, 2 сообщения, 5 сообщений),
 * listed under the English singular.
 */
export function tn(n: number, one: string, other: string, params?: Params): string {
  const all = { ...params, n };
  if (current === "ru") {
    const ru = RU[one];
    if (Array.isArray(ru)) {
      const cat = pluralCategory(n);
      const form = cat === "one" ? ru[0] : cat === "few" ? ru[1] : ru[2];
      return fill(form, all);
    }
  }
  return fill(n === 1 ? one : other, all);
}

/** A count (tokens, replies…) rounded to a whole number, in the current language. */
export function formatCount(n: number): string {
  return formatNumber(Math.round(n));
}

/** A number in the current language's digits and separators. */
export function formatNumber(n: number, options?: Intl.NumberFormatOptions): string {
  if (!Number.isFinite(n)) return String(n);
  return new Intl.NumberFormat(intlLocale(), { maximumFractionDigits: 20, ...options }).format(n);
}
