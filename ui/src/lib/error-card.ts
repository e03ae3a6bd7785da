// What the inline card of a failed reply offers, by the error's code: the
// step that fixes it, never a bare message. Pure (unit-tested under node).
//
// - a rejected key or a bad address: Open Settings;
// - a rate limit: a countdown from the service's retry-after, then the
//   reply is tried again by itself (Retry now skips the wait);
// - overloaded, a server error, the network, a timeout: Retry;
// - a prompt over the window: Show context (the gauge says what to remove);
// - anything else: the message and the usual Continue/Regenerate.
// Retry carries on a reply that had text (Continue), else asks again.

import type { AppError, RetryMode } from "../types";
import { t } from "./i18n";
import { errorHint, hintOpensSettings } from "./errors";

export type CardAction = "open_settings" | "retry" | "show_context";

export interface ErrorCard {
  /** A sentence after the error's own message, if any. */
  hint: string | null;
  actions: CardAction[];
  /** Seconds until the reply is tried again by itself (rate limits). */
  autoRetrySecs?: number;
  /** How Retry asks again. */
  retryMode: RetryMode;
}

/** When the service names no wait, a rate limit is tried again after this. */
export const DEFAULT_RATE_LIMIT_WAIT_SECS = 10;

const RETRYABLE = new Set(["overloaded", "server", "network", "timeout"]);

/** Whether `error` says the request was over the model's window. */
export function isPromptTooLong(error: AppError): boolean {
  if (error.code === "too_large") return true;
  return error.code === "invalid_request" && /prompt is too long|too many tokens|context (window|length)/i.test(error.message);
}

export function errorCard(error: AppError, replyHasText: boolean): ErrorCard {
  const retryMode: RetryMode = replyHasText ? "continue" : "regenerate";
  if (hintOpensSettings(error.code)) {
    return { hint: errorHint(error.code), actions: ["open_settings"], retryMode };
  }
  if (error.code === "rate_limit") {
    const wait = error.retry_after_secs !== undefined && error.retry_after_secs > 0 ? error.retry_after_secs : DEFAULT_RATE_LIMIT_WAIT_SECS;
    return { hint: null, actions: ["retry"], autoRetrySecs: Math.ceil(wait), retryMode };
  }
  if (RETRYABLE.has(error.code)) {
    return { hint: errorHint(error.code), actions: ["retry"], retryMode };
  }
  if (isPromptTooLong(error)) {
    return {
      hint: t(
        "The conversation and its files are more than the model's window. Context used under the message shows what a send takes: remove a file or cut one to fit, or start a new chat.",
      ),
      actions: ["show_context"],
      retryMode,
    };
  }
  return { hint: errorHint(error.code), actions: [], retryMode };
}

/** The countdown's words: "Trying again in 12 s." */
export function autoRetryText(secondsLeft: number): string {
  const s = Math.max(0, Math.ceil(secondsLeft));
  return s === 0 ? t("Trying again…") : t("Trying again in {s} s.", { s });
}
