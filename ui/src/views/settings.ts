// The settings panel (#settings, a modal <dialog>): service address, API key,
// default model and sampling, theme, concurrency. Opened by the gear button
// (#settings-button), Ctrl+, and the banner's "Open Settings".
//
// - Fields are filled from get_settings each time it opens; the API key field
//   (#settings-api-key) is never filled with the key: its placeholder and
//   #key-status say where the key is, with the backend's notice (no keychain,
//   a file instead) shown as plain text.
// - Save stores a typed key first (set_api_key), then the settings
//   (save_settings). On success the panel closes and `onSaved` gets the
//   normalized settings; on failure it stays open, every typed value intact,
//   and the error shows in #settings-error.
// - "Remove key" (#settings-remove-key) acts at once (delete_api_key).
// - Focus stays inside while open (Tab wraps); Escape and Cancel close it
//   without saving.

import * as backend from "../backend";
import { el, keepTabInside, returnFocusTo } from "../dom";
import { toAppError } from "../lib/errors";
import { t } from "../lib/i18n";
import { modelChoices } from "../lib/models";
import {
  canRemoveKey,
  formatNumberField,
  isLanguage,
  isTheme,
  keyPlaceholder,
  keyStatusText,
  readSettings,
  themeAttribute,
  type FieldText,
  type SettingsField,
  type SettingsFormValues,
} from "../lib/settings";
import type { AppError, KeyStatus, ModelInfo, Settings, Theme } from "../types";

export interface SettingsPanelOptions {
  dialog: HTMLDialogElement;
  form: HTMLFormElement;
  baseUrl: HTMLInputElement;
  apiKey: HTMLInputElement;
  removeKey: HTMLButtonElement;
  keyStatus: HTMLElement;
  model: HTMLSelectElement;
  /** Shown under the model picker when the model list could not be loaded. */
  modelHint: HTMLElement;
  maxTokens: HTMLInputElement;
  temperature: HTMLInputElement;
  topP: HTMLInputElement;
  topK: HTMLInputElement;
  theme: HTMLSelectElement;
  language: HTMLSelectElement;
  concurrency: HTMLInputElement;
  save: HTMLButtonElement;
  cancel: HTMLButtonElement;
  error: HTMLElement;
  /** The models to offer (may reject, e.g. while no key is set). */
  loadModels(): Promise<ModelInfo[]>;
  /** Saved (the panel has closed): the backend's normalized settings. */
  onSaved(settings: Settings): void;
  /** A key was stored or removed without a successful save: the models and app_info may differ now. */
  onKeyChanged(status: KeyStatus): void;
  /** A failure that arrived after the panel was closed. */
  onError(error: AppError): void;
  /** The panel closed and the element focused before it is gone. */
  onClosed(): void;
}

type PanelField = SettingsField | "api-key";

export class SettingsPanel {
  /** What get_settings returned when the panel opened (null until loaded, or if it failed). */
  private loaded: Settings | null = null;
  private status: KeyStatus | null = null;
  private saving = false;
  private removing = false;
  private opening = false;
  /** Bumped on every open and close: late loads for an earlier opening are dropped. */
  private gen = 0;
  private returnFocus: HTMLElement | null = null;

  constructor(private readonly o: SettingsPanelOptions) {
    o.form.noValidate = true; // the fields are checked by readSettings, with our wording
    o.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.save();
    });
    o.cancel.addEventListener("click", () => this.close());
    o.removeKey.addEventListener("click", () => void this.removeKey());
    o.dialog.addEventListener("keydown", (event) => this.onKey(event));
    // Escape is handled in onKey; this catches any other way the browser cancels.
    o.dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      this.close();
    });
    o.dialog.addEventListener("close", () => this.afterClose());
    o.form.addEventListener("input", (event) => {
      if (event.target instanceof HTMLElement) event.target.removeAttribute("aria-invalid");
    });
    o.error.hidden = true;
    o.modelHint.hidden = true;
  }

  get isOpen(): boolean {
    return this.o.dialog.open;
  }

  /** Opens the panel filled with the stored settings; `focus` picks the field to start in. */
  async open(focus: "first" | "api-key" = "first"): Promise<void> {
    if (this.isOpen) {
      this.focusStart(focus);
      return;
    }
    if (this.opening) return;
    this.opening = true;
    const gen = ++this.gen;
    this.returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    this.clearError();
    this.o.apiKey.value = "";
    this.showKeyStatus(null);
    // The key status may wait on the keychain: it fills in when it comes.
    const status = backend.keyStatus();
    let settings: Settings | null = null;
    let loadError: AppError | null = null;
    try {
      settings = await backend.getSettings();
    } catch (err) {
      loadError = toAppError(err);
    }
    this.opening = false;
    if (gen !== this.gen) return;
    this.loaded = settings;
    this.o.form.reset(); // nothing left over from an earlier opening
    if (settings) this.fill(settings);
    this.o.save.disabled = settings === null;
    this.o.dialog.showModal();
    if (loadError) this.showError(t("The settings could not be loaded: {reason}", { reason: loadError.message }));
    this.focusStart(focus);

    status.then(
      (s) => {
        if (gen === this.gen) this.showKeyStatus(s);
      },
      (err) => {
        if (gen === this.gen) this.showKeyStatusError(toAppError(err));
      },
    );
    this.o.loadModels().then(
      (models) => {
        if (gen === this.gen) this.setModels(models);
      },
      () => {
        if (gen === this.gen) this.o.modelHint.hidden = false;
      },
    );
  }

  /** Closes without saving (typed values are dropped; the next opening starts from the stored settings). */
  close(): void {
    if (this.isOpen) this.o.dialog.close();
  }

  /** Fills the default-model picker, keeping the current choice. */
  setModels(models: ModelInfo[]): void {
    const select = this.o.model;
    const current = select.value || this.loaded?.default_model || "";
    const options = modelChoices(models, [this.loaded?.default_model, current]).map((m) =>
      el("option", { text: m.label, attrs: { value: m.id } }),
    );
    select.replaceChildren(...options);
    select.value = current;
    this.o.modelHint.hidden = true;
  }

  // --- filling and reading -------------------------------------------------------

  private fill(s: Settings): void {
    const o = this.o;
    o.baseUrl.value = s.base_url;
    o.model.replaceChildren();
    this.setModels([]); // the stored default until the list comes
    o.maxTokens.value = formatNumberField(s.max_tokens);
    o.temperature.value = formatNumberField(s.temperature);
    o.topP.value = formatNumberField(s.top_p);
    o.topK.value = formatNumberField(s.top_k);
    o.theme.value = isTheme(s.theme) ? s.theme : "system";
    o.language.value = isLanguage(s.language) ? s.language : "system";
    o.concurrency.value = formatNumberField(s.max_concurrent);
    for (const input of o.form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  }

  private values(): SettingsFormValues {
    const o = this.o;
    const num = (input: HTMLInputElement): FieldText => ({ text: input.value, badInput: input.validity.badInput });
    return {
      baseUrl: o.baseUrl.value,
      model: o.model.value,
      maxTokens: num(o.maxTokens),
      temperature: num(o.temperature),
      topP: num(o.topP),
      topK: num(o.topK),
      theme: o.theme.value,
      language: o.language.value,
      concurrency: num(o.concurrency),
    };
  }

  private fieldElement(field: PanelField): HTMLElement {
    const o = this.o;
    const fields: Record<PanelField, HTMLElement> = {
      "base-url": o.baseUrl,
      "api-key": o.apiKey,
      model: o.model,
      "max-tokens": o.maxTokens,
      temperature: o.temperature,
      "top-p": o.topP,
      "top-k": o.topK,
      theme: o.theme,
      language: o.language,
      concurrency: o.concurrency,
    };
    return fields[field];
  }

  // --- saving --------------------------------------------------------------------

  private async save(): Promise<void> {
    if (this.saving || this.removing || !this.loaded) return;
    this.clearError();
    const read = readSettings(this.values(), this.loaded);
    if (!read.ok) {
      this.showError(read.message, read.field);
      return;
    }
    const key = this.o.apiKey.value.trim();
    let keyStored: KeyStatus | null = null;
    // Closed (or closed and opened again) meanwhile: the outcome is still applied,
    // but a failure goes to the banner and the new opening is left alone.
    const gen = this.gen;
    this.setSaving(true);
    try {
      if (key !== "") {
        try {
          keyStored = await backend.setApiKey(key);
        } catch (err) {
          const error = toAppError(err);
          throw { ...error, message: t("The API key was not stored: {reason}", { reason: error.message }), field: "api-key" };
        }
        if (gen === this.gen) this.showKeyStatus(keyStored);
      }
      const saved = await backend.saveSettings(read.settings);
      this.setSaving(false);
      if (gen === this.gen) {
        this.loaded = saved;
        this.close();
      }
      this.o.onSaved(saved);
    } catch (err) {
      this.setSaving(false);
      const error = toAppError(err);
      const field = (err as { field?: PanelField }).field;
      if (gen === this.gen && this.isOpen) this.showError(error.message, field);
      else this.o.onError(error);
      if (keyStored) this.o.onKeyChanged(keyStored);
    }
  }

  private setSaving(saving: boolean): void {
    this.saving = saving;
    this.o.save.disabled = saving || this.loaded === null;
    this.o.save.textContent = saving ? t("Saving…") : t("Save");
    this.o.form.setAttribute("aria-busy", String(saving));
    this.o.removeKey.disabled = saving || this.removing || !canRemoveKey(this.status);
  }

  // --- the key ---------------------------------------------------------------------

  private async removeKey(): Promise<void> {
    if (this.saving || this.removing || !canRemoveKey(this.status)) return;
    this.removing = true;
    this.o.removeKey.disabled = true;
    this.clearError();
    try {
      const status = await backend.deleteApiKey();
      this.showKeyStatus(status);
      this.o.onKeyChanged(status);
    } catch (err) {
      const error = toAppError(err);
      if (this.isOpen) this.showError(t("The API key was not removed: {reason}", { reason: error.message }));
      else this.o.onError(error);
    } finally {
      this.removing = false;
      this.o.removeKey.disabled = this.saving || !canRemoveKey(this.status);
    }
    // The button went disabled under the focus: keep it in the panel.
    if (this.isOpen && (document.activeElement === this.o.removeKey || document.activeElement === document.body)) {
      this.o.apiKey.focus();
    }
  }

  /** Shows where the key is (null: still checking). Text only: the notice comes from the backend. */
  private showKeyStatus(status: KeyStatus | null): void {
    this.status = status;
    const box = this.o.keyStatus;
    this.o.apiKey.placeholder = keyPlaceholder(status);
    this.o.removeKey.disabled = this.saving || this.removing || !canRemoveKey(status);
    this.o.removeKey.title =
      status?.present && status.backend === "environment"
        ? t("This key comes from the MEGALLM_API_KEY environment variable: unset it to remove it.")
        : t("Remove the stored API key");
    if (!status) {
      delete box.dataset.backend;
      delete box.dataset.present;
      delete box.dataset.notice;
      box.replaceChildren(el("span", { className: "key-status-label", text: t("Checking where the key is stored…") }));
      return;
    }
    const { label, notice } = keyStatusText(status);
    box.dataset.backend = status.backend;
    box.dataset.present = String(status.present);
    const parts: Node[] = [el("span", { className: "key-status-label", text: label })];
    if (notice) {
      box.dataset.notice = "1";
      parts.push(document.createTextNode(" "), el("span", { className: "key-status-notice", text: notice }));
    } else {
      delete box.dataset.notice;
    }
    box.replaceChildren(...parts);
  }

  private showKeyStatusError(error: AppError): void {
    this.showKeyStatus(null);
    this.o.keyStatus.dataset.notice = "1";
    this.o.keyStatus.replaceChildren(
      el("span", { className: "key-status-notice", text: t("Could not check the API key: {reason}", { reason: error.message }) }),
    );
  }

  // --- errors, focus, keys -----------------------------------------------------------

  private showError(message: string, field?: PanelField): void {
    this.o.error.textContent = message;
    this.o.error.hidden = false;
    if (field) {
      const input = this.fieldElement(field);
      input.setAttribute("aria-invalid", "true");
      input.focus();
    } else {
      this.o.error.scrollIntoView({ block: "nearest" });
    }
  }

  private clearError(): void {
    this.o.error.textContent = "";
    this.o.error.hidden = true;
    for (const input of this.o.form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  }

  private focusStart(focus: "first" | "api-key"): void {
    const target = focus === "api-key" ? this.o.apiKey : this.o.baseUrl;
    target.focus();
  }

  private onKey(event: KeyboardEvent): void {
    if (event.isComposing) return;
    if (event.key === "Escape") {
      // Handled here (not by the dialog's own cancel) so the app-wide Escape
      // (stop a streaming reply) never sees it.
      event.preventDefault();
      this.close();
      return;
    }
    keepTabInside(this.o.dialog, event);
  }

  private afterClose(): void {
    this.gen++;
    this.opening = false;
    // The key is not kept in the page once the panel is closed.
    this.o.apiKey.value = "";
    this.clearError();
    returnFocusTo(this.returnFocus);
    this.returnFocus = null;
    if (document.activeElement === null || document.activeElement === document.body) this.o.onClosed();
  }
}

// --- theme -------------------------------------------------------------------------

const THEME_STORAGE_KEY = "megallm.theme";

/**
 * Applies a theme: `data-theme` on <html> overrides the system's light/dark
 * preference (app.css), and no attribute follows it. The choice is mirrored in
 * localStorage so the next start-up can apply it before get_settings answers.
 */
export function applyTheme(theme: Theme): void {
  const attr = themeAttribute(theme);
  const root = document.documentElement;
  if (attr) root.dataset.theme = attr;
  else delete root.dataset.theme;
  try {
    localStorage.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // Storage unavailable: get_settings still applies it at start-up.
  }
}

/** Applies the theme remembered from the last run, if any (before get_settings answers). */
export function applyRememberedTheme(): void {
  let theme: string | null = null;
  try {
    theme = localStorage.getItem(THEME_STORAGE_KEY);
  } catch {
    return;
  }
  if (isTheme(theme)) applyTheme(theme);
}
