// The files attached to the message being written, as chips, and the queue
// that reads them. Pure (no DOM): the backend calls are passed in, so the
// tests drive it with fakes.
//
// Every file, however it came (the Attach button, a drop, a paste), takes
// one path: its chip appears at once ("waiting"), at most `concurrency`
// files are read and extracted at a time ("extracting"), and each ends
// "ready" (or "truncated", ready with notes) or "error". A file's bytes are
// read only when its turn comes, so a thousand dropped files cost a
// thousand chips, not a thousand buffers.

import type { AppError, AttachmentDraft, AttachmentSummary, DocumentKind } from "../types";
import { backendText } from "./errors";
import { formatNumber, t, tn } from "./i18n";
import { toAppError } from "./errors";

/** What the queue needs of a `File` (tests pass plain objects). */
export interface FileLike {
  readonly name: string;
  readonly size: number;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type ChipState = "waiting" | "extracting" | "ready" | "truncated" | "password" | "error";

/** A draft's chip state: locked for its password, cut, or ready. */
export function draftState(summary: AttachmentSummary): ChipState {
  if (summary.needs_password) return "password";
  return summary.truncated ? "truncated" : "ready";
}

export interface Chip {
  readonly key: number;
  readonly name: string;
  state: ChipState;
  /** Once ready or truncated: the backend's draft. */
  draft: AttachmentDraft | null;
  /** Once in error: why, in a sentence naming the file. */
  error: AppError | null;
  /** Part of a send in flight: it cannot be removed until the send settles. */
  locked: boolean;
}

/** Files read and extracted at the same time. */
export const EXTRACT_CONCURRENCY = 2;

/**
 * The backend's `MAX_FILE_BYTES`. A larger file is refused before its bytes
 * are read, so picking a 4 GB video does not load it into the page first.
 */
export const MAX_FILE_BYTES = 100_000_000;

export interface AttachmentQueueOptions {
  extract(name: string, bytes: Uint8Array): Promise<AttachmentDraft>;
  discard(draftId: string): Promise<void>;
  /** New chips, in order, at the end of the list. */
  onAdded(chips: readonly Chip[]): void;
  /** One chip's state changed. */
  onUpdated(chip: Chip): void;
  /** Chips left the list. */
  onRemoved(keys: readonly number[]): void;
  concurrency?: number;
}

/** What one send takes: every chip present, and the ready ones' draft ids. */
export interface SendTicket {
  readonly keys: readonly number[];
  readonly draftIds: readonly string[];
}

export class AttachmentQueue {
  private readonly list: Chip[] = [];
  /** Files not yet read, by chip key (dropped as soon as they are read). */
  private readonly files = new Map<number, FileLike>();
  private readonly waiting: Chip[] = [];
  private inFlight = 0;
  private nextKey = 1;
  private readonly concurrency: number;

  constructor(private readonly o: AttachmentQueueOptions) {
    this.concurrency = Math.max(1, o.concurrency ?? EXTRACT_CONCURRENCY);
  }

  get chips(): readonly Chip[] {
    return this.list;
  }

  /** Files still waiting or being extracted: sending waits for them. */
  get pending(): number {
    return this.list.filter((c) => c.state === "waiting" || c.state === "extracting").length;
  }

  /** Chips that would go with the next message. */
  get readyCount(): number {
    return this.list.filter((c) => isReady(c) && !c.locked).length;
  }

  /** The drafts the next send would take: ready chips not part of a send in flight. */
  get nextDrafts(): AttachmentDraft[] {
    return this.list.flatMap((c) => (isReady(c) && !c.locked && c.draft ? [c.draft] : []));
  }

  /**
   * The backend changed a draft (cut to fit): its chip shows the new
   * summary. False when no chip holds that draft any more, or it is in a send.
   */
  updateDraft(draft: AttachmentDraft): boolean {
    const chip = this.list.find((c) => c.draft?.draft_id === draft.draft_id);
    if (!chip || chip.locked) return false;
    chip.draft = draft;
    chip.error = null;
    this.set(chip, draftState(draft.summary));
    return true;
  }

  /** Extractions running now (never more than the concurrency). */
  get running(): number {
    return this.inFlight;
  }

  find(key: number): Chip | undefined {
    return this.list.find((c) => c.key === key);
  }

  /** Adds files, each as a chip at once; they are read in turn. */
  add(files: Iterable<FileLike>): Chip[] {
    const added: Chip[] = [];
    for (const file of files) {
      const chip: Chip = { key: this.nextKey++, name: file.name, state: "waiting", draft: null, error: null, locked: false };
      if (file.size > MAX_FILE_BYTES) {
        chip.state = "error";
        chip.error = tooLarge(file);
      } else {
        this.files.set(chip.key, file);
        this.waiting.push(chip);
      }
      added.push(chip);
    }
    if (added.length === 0) return added;
    this.list.push(...added);
    this.o.onAdded(added);
    this.pump();
    return added;
  }

  /**
   * Removes a chip. A ready draft is discarded in the backend; one still
   * being extracted is discarded when its extraction ends. A chip in a send
   * in flight stays (returns false).
   */
  remove(key: number): boolean {
    const at = this.list.findIndex((c) => c.key === key);
    const chip = this.list[at];
    if (!chip || chip.locked) return false;
    this.list.splice(at, 1);
    this.files.delete(key);
    const queued = this.waiting.indexOf(chip);
    if (queued >= 0) this.waiting.splice(queued, 1);
    if (chip.draft) this.discard(chip.draft.draft_id);
    this.o.onRemoved([key]);
    return true;
  }

  /**
   * Starts a send: null while files are still being read. Otherwise every
   * chip present is locked, and the ticket names the ready ones' drafts
   * (error chips are left out of the send).
   */
  beginSend(): SendTicket | null {
    if (this.pending > 0) return null;
    const taken = this.list.filter((c) => !c.locked);
    for (const c of taken) c.locked = true;
    for (const c of taken) this.o.onUpdated(c);
    return {
      keys: taken.map((c) => c.key),
      draftIds: taken.filter(isReady).flatMap((c) => (c.draft ? [c.draft.draft_id] : [])),
    };
  }

  /**
   * The send settled. `sent`: the message is stored with its attachments, so
   * its chips leave (their drafts now belong to the message). Otherwise they
   * stay, as they were, for the next try.
   */
  finishSend(ticket: SendTicket, sent: boolean): void {
    const keys = new Set(ticket.keys);
    const mine = this.list.filter((c) => keys.has(c.key));
    if (sent) {
      for (let i = this.list.length - 1; i >= 0; i--) {
        if (keys.has(this.list[i]?.key ?? -1)) this.list.splice(i, 1);
      }
      if (mine.length > 0) this.o.onRemoved(mine.map((c) => c.key));
    } else {
      for (const c of mine) {
        c.locked = false;
        this.o.onUpdated(c);
      }
    }
  }

  // --- the queue -----------------------------------------------------------

  private pump(): void {
    while (this.inFlight < this.concurrency) {
      const chip = this.waiting.shift();
      if (!chip) return;
      const file = this.files.get(chip.key);
      this.files.delete(chip.key);
      if (!file) continue;
      this.inFlight++;
      this.set(chip, "extracting");
      void this.run(chip, file).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async run(chip: Chip, file: FileLike): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch {
      this.fail(chip, unreadable(file));
      return;
    }
    let draft: AttachmentDraft;
    try {
      draft = await this.o.extract(file.name, bytes);
    } catch (err) {
      this.fail(chip, toAppError(err));
      return;
    }
    if (!this.list.includes(chip)) {
      this.discard(draft.draft_id); // removed while it was being read
      return;
    }
    chip.draft = draft;
    this.set(chip, draftState(draft.summary));
  }

  /**
   * The backend refused a change to a draft (a password that did not open
   * it, an option it does not take): its chip says why and stays as it was.
   */
  refused(draftId: string, error: AppError): void {
    const chip = this.list.find((c) => c.draft?.draft_id === draftId);
    if (!chip) return;
    chip.error = error;
    this.o.onUpdated(chip);
  }

  private fail(chip: Chip, error: AppError): void {
    chip.error = error;
    if (this.list.includes(chip)) this.set(chip, "error");
  }

  private set(chip: Chip, state: ChipState): void {
    chip.state = state;
    this.o.onUpdated(chip);
  }

  private discard(draftId: string): void {
    this.o.discard(draftId).catch((err) => console.warn("discard_attachment failed", err));
  }
}

export function isReady(chip: Chip): boolean {
  return chip.state === "ready" || chip.state === "truncated";
}

function tooLarge(file: FileLike): AppError {
  const mb = formatNumber(file.size / 1_000_000, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  return {
    code: "too_large",
    message: t(
      "“{name}” is too large: {mb} MB (the limit is {limit} MB). Split it into smaller files, or attach only the part that matters.",
      { name: file.name, mb, limit: MAX_FILE_BYTES / 1_000_000 },
    ),
  };
}

function unreadable(file: FileLike): AppError {
  return {
    code: "invalid_input",
    message: t("“{name}” could not be read (a folder, or a file that was moved or deleted). Choose the file again.", {
      name: file.name,
    }),
  };
}

// --- wording -------------------------------------------------------------------

/** `~1,234 tokens`. */
export function tokensLabel(tokens: number): string {
  return `~${tn(Math.round(tokens), "{n} token", "{n} tokens")}`;
}

export function kindLabel(kind: DocumentKind): string {
  switch (kind.type) {
    case "pdf":
      return "PDF";
    case "docx":
      return t("Word document");
    case "odt":
      return t("OpenDocument text");
    case "xlsx":
      return t("Excel workbook");
    case "ods":
      return t("OpenDocument spreadsheet");
    case "csv":
      return "CSV";
    case "html":
      return "HTML";
    case "text":
      return t("Text");
    case "code":
      return kind.language ? t("Code ({language})", { language: kind.language }) : t("Code");
    case "image":
      return t("Image");
  }
}

/** A chip's second line: `PDF · 12 pages · ~1,234 tokens`. */
export function summaryLabel(summary: AttachmentSummary): string {
  const parts = [kindLabel(summary.kind)];
  if (summary.pages !== undefined) {
    const pages = tn(summary.pages, "{n} page", "{n} pages");
    parts.push(summary.page_images > 0 ? t("{pages} ({n} as images)", { pages, n: summary.page_images }) : pages);
  }
  if (summary.sheets !== undefined) parts.push(tn(summary.sheets, "{n} sheet", "{n} sheets"));
  parts.push(tokensLabel(summary.tokens));
  return parts.join(" · ");
}

/** Why a truncated chip is truncated: the backend's notes, or a general sentence. */
export function truncationNote(summary: AttachmentSummary): string {
  return summary.notes.length > 0 ? summary.notes.map(backendText).join(" ") : t("Part of the file was left out.");
}

/** An image preview's `src`: only a plain image type makes a data: URL. */
export function imageDataUrl(mediaType: string, base64: string): string | null {
  if (!/^image\/(png|jpeg|gif|webp)$/.test(mediaType)) return null;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return null;
  return `data:${mediaType};base64,${base64}`;
}
