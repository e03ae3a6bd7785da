// Small pure helpers shared by the views.

import { t } from "./i18n";

export interface ScrollMetrics {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}

/** True when a scroll container is at (or within `slack` px of) its bottom. */
export function isNearBottom(el: ScrollMetrics, slack = 32): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight <= slack;
}

export interface Debounced<A extends unknown[]> {
  (...args: A): void;
  /** Drops a pending call. */
  cancel(): void;
}

/** Calls `fn` once `ms` have passed without another call; the last arguments win. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const debounced = ((...args: A) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn(...args);
    }, ms);
  }) as Debounced<A>;
  debounced.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return debounced;
}

/**
 * Hands out increasing tokens so that an async result can tell whether it is
 * still the latest one asked for (a search typed over, a conversation left).
 */
export class Latest {
  private n = 0;
  next(): number {
    return ++this.n;
  }
  isCurrent(token: number): boolean {
    return token === this.n;
  }
}

/** A one-line title for a new conversation, from the first message's text. */
export function provisionalTitle(text: string, max = 60): string {
  const line = text.trim().split(/\r?\n/, 1)[0]?.trim() ?? "";
  if (line === "") return t("New chat");
  return line.length > max ? `${line.slice(0, max - 1).trimEnd()}…` : line;
}
