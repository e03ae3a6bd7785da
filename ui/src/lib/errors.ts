// Turning whatever a failed command rejected with into an AppError, and the
// wording the banner adds per error code. Pure.

import type { AppError, ErrorCode } from "../types";
import { t } from "./i18n";
import { RU } from "./ru";

/** Every code the backend sends; `test/errors.test.ts` checks it against the generated binding. */
export const CODES: ReadonlySet<string> = new Set<ErrorCode>([
  "auth", "permission", "billing", "rate_limit", "overloaded", "invalid_request", "too_large",
  "not_found", "server", "network", "timeout", "protocol", "cancelled", "storage", "invalid_input",
  "import_format", "disk_full", "database_locked", "database_newer", "config", "internal",
]);

/** True when `value` has the shape of an {@link AppError}. */
export function isAppError(value: unknown): value is AppError {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === "string" && CODES.has(v.code) && typeof v.message === "string";
}

/**
 * Normalizes a rejection into an AppError. The backend rejects with AppError
 * objects; anything else (a string from Tauri itself, a JS Error from the IPC
 * layer) becomes an `internal` error carrying its text.
 */
export function toAppError(value: unknown): AppError {
  if (isAppError(value)) {
    // Translated as it arrives, so every view that shows it shows it in the user's language.
    const err: AppError = { code: value.code, message: backendText(value.message) };
    if (typeof value.retry_after_secs === "number" && Number.isFinite(value.retry_after_secs)) {
      err.retry_after_secs = value.retry_after_secs;
    }
    if (typeof value.request_id === "string") err.request_id = value.request_id;
    return err;
  }
  let message: string;
  if (typeof value === "string") message = value;
  else if (value instanceof Error) message = value.message;
  else {
    try {
      message = JSON.stringify(value) ?? String(value);
    } catch {
      message = String(value);
    }
  }
  return { code: "internal", message: message || t("Something went wrong.") };
}

/** A sentence the banner adds after the error's own message, if any. */
export function errorHint(code: ErrorCode): string | null {
  switch (code) {
    case "auth":
      return t("Open Settings to check your API key.");
    case "config":
      return t("Open Settings to check your API key and the service address.");
    case "network":
      return t("Check your internet connection, then try again.");
    case "overloaded":
    case "server":
    case "timeout":
    case "database_locked":
      return t("Try again in a moment.");
    default:
      return null;
  }
}

/** The countdown line for a rate limit: "You can retry in 1:05." / "You can retry now." */
export function formatRetryCountdown(secondsLeft: number): string {
  const s = Math.max(0, Math.ceil(secondsLeft));
  if (s === 0) return t("You can retry now.");
  if (s < 60) return t("You can retry in {s} s.", { s });
  const m = Math.floor(s / 60);
  const rest = String(s % 60).padStart(2, "0");
  return t("You can retry in {time}.", { time: `${m}:${rest}` });
}

/** Whether the fix for an error is in the settings panel (the banner then offers to open it). */
export function hintOpensSettings(code: ErrorCode): boolean {
  return code === "auth" || code === "config";
}

/**
 * The backend's own message in the current language. The backend speaks
 * English; its fixed sentences are in the catalogue with each number as a
 * `{0}`, `{1}`… placeholder, so "Temperature must be between 0 and 1." finds
 * its translation whatever the limits. Text it does not know (a file name, the
 * service's own words) stays as the backend wrote it.
 */
export function backendText(message: string): string {
  const direct = t(message);
  if (direct !== message) return direct;
  const numbers: string[] = [];
  const template = message.replace(/\d+(?:[.,]\d+)*/g, (n) => `{${numbers.push(n) - 1}}`);
  if (numbers.length === 0 || typeof RU[template] !== "string") return message;
  return t(template, Object.fromEntries(numbers.map((n, i) => [String(i), n])));
}

/** An error's message as the user reads it: the backend's words, translated where known. */
export function errorText(error: AppError): string {
  return backendText(error.message);
}
