// Errors and notices above the conversation (#banner), and the short-lived
// toast with an optional action (used for "Undo" after a delete).
//
// Error messages come from the API and are untrusted: they are set as text only.
// Errors whose fix is in the settings (a missing or rejected API key, a bad
// service address) get an "Open Settings" button (.banner-action).

import { el, iconButton } from "../dom";
import { errorHint, formatRetryCountdown, hintOpensSettings } from "../lib/errors";
import { t } from "../lib/i18n";
import type { AppError, ErrorCode } from "../types";

export interface BannerOptions {
  /** Opens the settings panel (the "Open Settings" button). */
  onOpenSettings?(): void;
}

export interface ShowErrorOptions {
  /** Replaces the code's usual hint. */
  hint?: string;
}

export class Banner {
  private countdown: ReturnType<typeof setInterval> | undefined;
  /** The error on show, to render again after a language switch. */
  private shown: { error: AppError; options: ShowErrorOptions; until: number } | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly options: BannerOptions = {},
  ) {
    root.hidden = true;
  }

  /** Shows an error: its message, what to do about it, and for rate limits a countdown. */
  showError(error: AppError, options: ShowErrorOptions = {}): void {
    this.reset("error");
    const secs = error.retry_after_secs;
    this.shown = { error, options, until: secs !== undefined && secs > 0 ? Date.now() + secs * 1000 : 0 };
    this.renderError(error, options);
  }

  /** After a language switch: the error on show, in the new words (its countdown goes on). */
  relabel(): void {
    const shown = this.shown;
    if (!shown || this.root.dataset.kind !== "error") return;
    this.reset("error");
    this.shown = shown;
    this.renderError(shown.error, shown.options, shown.until);
  }

  private renderError(error: AppError, options: ShowErrorOptions, until = 0): void {
    this.root.dataset.code = error.code;
    this.root.setAttribute("role", "alert");
    const body = el("div", { className: "banner-body" });
    body.append(el("p", { className: "banner-message", text: error.message }));
    const hint = options.hint ?? errorHint(error.code);
    if (hint) body.append(el("p", { className: "banner-hint", text: hint }));
    const openSettings = this.options.onOpenSettings;
    if (openSettings && hintOpensSettings(error.code)) {
      const button = el("button", { className: "banner-action", text: t("Open Settings"), attrs: { type: "button" } });
      button.addEventListener("click", () => openSettings());
      body.append(button);
    }
    if (error.code === "rate_limit" && error.retry_after_secs !== undefined && error.retry_after_secs > 0) {
      const line = el("p", { className: "banner-countdown" });
      body.append(line);
      this.startCountdown(line, until > 0 ? (until - Date.now()) / 1000 : error.retry_after_secs);
    }
    if (error.request_id) {
      body.append(el("p", { className: "banner-request-id", text: t("Request ID: {id}", { id: error.request_id }) }));
    }
    this.root.append(body, this.closeButton());
    this.root.hidden = false;
  }

  /** Shows a neutral notice (plain text). */
  showNotice(text: string): void {
    this.reset("notice");
    this.root.setAttribute("role", "status");
    const body = el("div", { className: "banner-body" }, el("p", { className: "banner-message", text }));
    this.root.append(body, this.closeButton());
    this.root.hidden = false;
  }

  /**
   * Shows a notice only while the banner is free: an error (which has an
   * action) or another notice on show matters more than this one.
   */
  offerNotice(text: string): void {
    if (this.root.hidden) this.showNotice(text);
  }

  /** Clears the banner only if it shows this very notice (it no longer applies). */
  clearNotice(text: string): void {
    if (this.root.dataset.kind === "notice" && this.root.querySelector(".banner-message")?.textContent === text) this.clear();
  }

  clear(): void {
    this.reset(null);
    this.root.hidden = true;
  }

  /** Clears the banner only if it currently shows an error (notices stay). */
  clearError(): void {
    if (this.root.dataset.kind === "error") this.clear();
  }

  /** Clears the banner only if it shows an error with one of these codes. */
  clearErrorOf(codes: readonly ErrorCode[]): void {
    const code = this.root.dataset.code;
    if (this.root.dataset.kind === "error" && code !== undefined && (codes as readonly string[]).includes(code)) this.clear();
  }

  private reset(kind: "error" | "notice" | null): void {
    if (this.countdown !== undefined) clearInterval(this.countdown);
    this.countdown = undefined;
    this.root.replaceChildren();
    this.shown = null;
    delete this.root.dataset.code;
    if (kind) this.root.dataset.kind = kind;
    else delete this.root.dataset.kind;
  }

  private closeButton(): HTMLButtonElement {
    const button = iconButton("close", t("Dismiss"), "banner-close");
    button.addEventListener("click", () => this.clear());
    return button;
  }

  private startCountdown(line: HTMLElement, seconds: number): void {
    const until = Date.now() + seconds * 1000;
    const tick = () => {
      const left = (until - Date.now()) / 1000;
      line.textContent = formatRetryCountdown(left);
      if (left <= 0 && this.countdown !== undefined) {
        clearInterval(this.countdown);
        this.countdown = undefined;
      }
    };
    tick();
    this.countdown = setInterval(tick, 1000);
  }
}

export interface ToastAction {
  label: string;
  run(): void;
}

/** A transient message at the bottom of the window, with an optional action button. */
export class Toast {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly root: HTMLElement) {
    root.hidden = true;
    root.setAttribute("role", "status");
    root.setAttribute("aria-live", "polite");
  }

  show(text: string, action?: ToastAction, ms = 7000): void {
    this.hide();
    this.root.append(el("span", { className: "toast-text", text }));
    if (action) {
      const button = el("button", { className: "toast-action", text: action.label, attrs: { type: "button" } });
      button.addEventListener("click", () => {
        this.hide();
        action.run();
      });
      this.root.append(button);
    }
    this.root.hidden = false;
    this.timer = setTimeout(() => this.hide(), ms);
  }

  hide(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.root.replaceChildren();
    this.root.hidden = true;
  }
}
