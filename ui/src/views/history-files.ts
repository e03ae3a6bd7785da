// Files in and out of the history: the header's "Export .md" / "Export .json"
// for the open conversation (#export-actions), and the settings panel's
// "Export all conversations" and "Import…" (#export-history, #import-history
// with its hidden #import-file picker). Exports land in Downloads; the toast
// says where.

import * as backend from "../backend";
import { t, tn } from "../lib/i18n";
import type { AppError, ExportFormat } from "../types";
import type { Toast } from "./banner";

export interface HistoryFilesOptions {
  exportActions: HTMLElement;
  exportMarkdown: HTMLButtonElement;
  exportJson: HTMLButtonElement;
  exportHistory: HTMLButtonElement;
  importButton: HTMLButtonElement;
  importFile: HTMLInputElement;
  toast: Toast;
  /** The conversation on screen, if any. */
  currentId(): number | null;
  /** Conversations were added: the list should show them. */
  onImported(ids: number[]): void;
  onError(error: AppError): void;
}

export class HistoryFiles {
  constructor(private readonly o: HistoryFilesOptions) {
    o.exportMarkdown.addEventListener("click", () => void this.exportCurrent("markdown", o.exportMarkdown));
    o.exportJson.addEventListener("click", () => void this.exportCurrent("json", o.exportJson));
    o.exportHistory.addEventListener("click", () =>
      void this.busy(o.exportHistory, async () => this.saved(await backend.exportHistory())),
    );
    o.importButton.addEventListener("click", () => o.importFile.click());
    o.importFile.addEventListener("change", () => void this.importPicked());
    this.sync();
  }

  /** Shows the export buttons only while a saved conversation is open. */
  sync(): void {
    this.o.exportActions.hidden = this.o.currentId() === null;
  }

  private async exportCurrent(format: ExportFormat, button: HTMLButtonElement): Promise<void> {
    const id = this.o.currentId();
    if (id === null) return;
    await this.busy(button, async () => this.saved(await backend.exportConversation(id, format)));
  }

  private saved(path: string): void {
    this.o.toast.show(t("Saved to {path}", { path }));
  }

  private async importPicked(): Promise<void> {
    const input = this.o.importFile;
    const file = input.files?.[0];
    input.value = ""; // the same file can be picked again
    if (!file) return;
    await this.busy(this.o.importButton, async () => {
      const ids = await backend.importHistory(await file.text());
      const n = ids.length;
      this.o.toast.show(tn(n, "Imported {n} conversation from {file}", "Imported {n} conversations from {file}", { file: file.name }));
      this.o.onImported(ids);
    });
  }

  /** Runs `work` with `button` disabled; failures go to the banner. */
  private async busy(button: HTMLButtonElement, work: () => Promise<void>): Promise<void> {
    if (button.disabled) return;
    button.disabled = true;
    try {
      await work();
    } catch (err) {
      this.o.onError(err as AppError);
    } finally {
      button.disabled = false;
    }
  }
}
