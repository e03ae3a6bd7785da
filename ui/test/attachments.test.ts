import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as fake from "../src/dev/fake-backend";
import {
  AttachmentQueue,
  MAX_FILE_BYTES,
  draftState,
  imageDataUrl,
  kindLabel,
  summaryLabel,
  tokensLabel,
  truncationNote,
  type Chip,
  type FileLike,
} from "../src/lib/attachments";
import type { AttachmentDraft, AttachmentSummary } from "../src/types";

const file = (name: string, text = "hello", size = text.length): FileLike => ({
  name,
  size,
  arrayBuffer: async () => new TextEncoder().encode(text).buffer as ArrayBuffer,
});

const summary = (name: string, extra: Partial<AttachmentSummary> = {}): AttachmentSummary => ({
  name,
  kind: { type: "text" },
  bytes: 5,
  tokens: 2,
  truncated: false,
  notes: [],
  send_original: false, needs_password: false, page_images: 0,
  ...extra,
});

/** A backend whose extractions finish when the test says. */
function harness(concurrency?: number) {
  const calls: Array<{ name: string; bytes: Uint8Array; resolve(d: AttachmentDraft): void; reject(e: unknown): void }> = [];
  const discarded: string[] = [];
  const events: string[] = [];
  let maxRunning = 0;
  const queue: AttachmentQueue = new AttachmentQueue({
    extract: (name, bytes) =>
      new Promise<AttachmentDraft>((resolve, reject) => {
        calls.push({ name, bytes, resolve, reject });
        maxRunning = Math.max(maxRunning, queue.running);
      }),
    discard: async (id) => {
      discarded.push(id);
    },
    onAdded: (chips) => events.push(`added ${chips.map((c) => c.name).join(",")}`),
    onUpdated: (chip) => events.push(`${chip.name} ${chip.state}${chip.locked ? " locked" : ""}`),
    onRemoved: (keys) => events.push(`removed ${keys.join(",")}`),
    ...(concurrency === undefined ? {} : { concurrency }),
  });
  const settle = () => new Promise<void>((r) => setTimeout(r, 0));
  const finish = async (i: number, extra: Partial<AttachmentSummary> = {}) => {
    const call = calls[i];
    assert.ok(call, `extraction ${i} started`);
    call.resolve({ draft_id: `d-${call.name}`, summary: summary(call.name, extra) });
    await settle();
  };
  return { queue, calls, discarded, events, settle, finish, maxRunning: () => maxRunning };
}

const states = (chips: readonly Chip[]) => chips.map((c) => `${c.name}:${c.state}`);

describe("the extraction queue", () => {
  test("every chip shows at once; at most two files are read at a time", async () => {
    const h = harness();
    const files = Array.from({ length: 1000 }, (_, i) => file(`f${i}.txt`));
    h.queue.add(files);
    assert.equal(h.queue.chips.length, 1000);
    assert.equal(h.events[0]?.split(",").length, 1000, "one batch for all the chips");
    await h.settle();
    assert.equal(h.calls.length, 2);
    assert.deepEqual(states(h.queue.chips.slice(0, 3)), ["f0.txt:extracting", "f1.txt:extracting", "f2.txt:waiting"]);
    for (let i = 0; i < 1000; i++) await h.finish(i);
    assert.equal(h.calls.length, 1000);
    assert.equal(h.maxRunning(), 2);
    assert.equal(h.queue.running, 0);
    assert.ok(h.queue.chips.every((c) => c.state === "ready"));
  });

  test("the bytes go to the backend with the name as given", async () => {
    const h = harness();
    const name = '"><img src=x onerror=alert(1)>.pdf';
    h.queue.add([file(name, "junk")]);
    await h.settle();
    assert.equal(h.calls[0]?.name, name);
    assert.deepEqual(Array.from(h.calls[0]?.bytes ?? []), [106, 117, 110, 107]);
  });

  test("waiting → extracting → ready, truncated or error", async () => {
    const h = harness(1);
    h.queue.add([file("a.txt"), file("b.txt"), file("c.txt")]);
    await h.settle();
    await h.finish(0);
    await h.finish(1, { truncated: true, notes: ["Only the first 500 of 900 rows are included."] });
    h.calls[2]?.reject({ code: "invalid_input", message: "“c.txt” is empty." });
    await h.settle();
    assert.deepEqual(h.events, [
      "added a.txt,b.txt,c.txt",
      "a.txt extracting",
      "a.txt ready",
      "b.txt extracting",
      "b.txt truncated",
      "c.txt extracting",
      "c.txt error",
    ]);
    assert.equal(h.queue.find(3)?.error?.message, "“c.txt” is empty.");
    assert.equal(h.queue.readyCount, 2);
  });

  test("a file that cannot be read, and one over the limit, are errors naming it", async () => {
    const h = harness();
    const folder: FileLike = { name: "photos", size: 0, arrayBuffer: () => Promise.reject(new Error("NotReadableError")) };
    const huge = file("huge.mov", "", MAX_FILE_BYTES + 1);
    h.queue.add([folder, huge]);
    await h.settle();
    assert.equal(h.calls.length, 0, "neither reached the backend");
    assert.deepEqual(states(h.queue.chips), ["photos:error", "huge.mov:error"]);
    assert.match(h.queue.chips[0]?.error?.message ?? "", /“photos” could not be read/);
    assert.equal(h.queue.chips[1]?.error?.code, "too_large");
    assert.match(h.queue.chips[1]?.error?.message ?? "", /“huge\.mov” is too large/);
  });

  test("removing: a waiting file is never read, a ready one and one being read are discarded", async () => {
    const h = harness(1);
    const [a, b, c] = h.queue.add([file("a.txt"), file("b.txt"), file("c.txt")]);
    await h.settle();
    assert.ok(h.queue.remove(c!.key), "waiting");
    assert.ok(h.queue.remove(a!.key), "extracting");
    assert.deepEqual(h.discarded, []);
    await h.finish(0); // a's extraction ends after its chip left
    assert.deepEqual(h.discarded, ["d-a.txt"]);
    assert.equal(h.calls.length, 2, "b went next; c was never read");
    await h.finish(1);
    assert.ok(h.queue.remove(b!.key), "ready");
    assert.deepEqual(h.discarded, ["d-a.txt", "d-b.txt"]);
    assert.equal(h.queue.chips.length, 0);
    assert.equal(h.calls.length, 2);
  });
});

describe("sending with attachments", () => {
  test("no send while a file is waiting or being read", async () => {
    const h = harness();
    h.queue.add([file("a.txt"), file("b.txt"), file("c.txt")]);
    assert.equal(h.queue.beginSend(), null);
    await h.settle();
    await h.finish(0);
    await h.finish(1);
    assert.equal(h.queue.pending, 1);
    assert.equal(h.queue.beginSend(), null);
    await h.finish(2);
    assert.equal(h.queue.pending, 0);
    assert.deepEqual(h.queue.beginSend()?.draftIds, ["d-a.txt", "d-b.txt", "d-c.txt"]);
  });

  test("error chips are left out; a sent message takes every chip away, undiscarded", async () => {
    const h = harness();
    h.queue.add([file("a.txt"), file("bad.bin")]);
    await h.settle();
    await h.finish(0);
    h.calls[1]?.reject({ code: "invalid_input", message: "“bad.bin” cannot be read." });
    await h.settle();
    const ticket = h.queue.beginSend();
    assert.deepEqual(ticket?.draftIds, ["d-a.txt"]);
    assert.ok(h.queue.chips.every((c) => c.locked));
    assert.equal(h.queue.remove(1), false, "locked while the send is in flight");
    h.queue.add([file("next.txt")]); // attached for the next message meanwhile
    h.queue.finishSend(ticket!, true);
    assert.deepEqual(states(h.queue.chips), ["next.txt:extracting"]);
    assert.deepEqual(h.discarded, []);
  });

  test("a rejected send leaves the chips as they were", async () => {
    const h = harness();
    h.queue.add([file("a.txt")]);
    await h.settle();
    await h.finish(0);
    const ticket = h.queue.beginSend()!;
    h.queue.finishSend(ticket, false);
    assert.deepEqual(states(h.queue.chips), ["a.txt:ready"]);
    assert.equal(h.queue.chips[0]?.locked, false);
    assert.deepEqual(h.queue.beginSend()?.draftIds, ["d-a.txt"], "ready to go again");
  });
});

describe("chip wording", () => {
  test("tokens, kinds, pages and sheets", () => {
    assert.equal(tokensLabel(1234), "~1,234 tokens");
    assert.equal(tokensLabel(1), "~1 token");
    assert.equal(kindLabel({ type: "code", language: "rust" }), "Code (rust)");
    assert.equal(summaryLabel(summary("r.pdf", { kind: { type: "pdf" }, pages: 12, tokens: 5310 })), "PDF · 12 pages · ~5,310 tokens");
    assert.equal(
      summaryLabel(summary("scan.pdf", { kind: { type: "pdf" }, pages: 3, page_images: 2, tokens: 3200 })),
      "PDF · 3 pages (2 as images) · ~3,200 tokens",
    );
    assert.equal(summaryLabel(summary("s.xlsx", { kind: { type: "xlsx" }, sheets: 1, tokens: 40 })), "Excel workbook · 1 sheet · ~40 tokens");
    assert.equal(truncationNote(summary("x", { truncated: true })), "Part of the file was left out.");
  });

  test("only plain image types and base64 make a data: URL", () => {
    assert.equal(imageDataUrl("image/png", "iVBORw0KGgo="), "data:image/png;base64,iVBORw0KGgo=");
    assert.equal(imageDataUrl("image/svg+xml", "PHN2Zz4="), null);
    assert.equal(imageDataUrl("image/png", '"><script>'), null);
  });
});

describe("the fake backend's attachments", () => {
  const appError = (code: string, message: RegExp) => (e: { code: string; message: string }) =>
    e.code === code && message.test(e.message);
  const bytes = (text: string) => new TextEncoder().encode(text);

  test("reads text, refuses empty and binary files with a message naming them", async () => {
    const draft = await fake.extractAttachment("notes.txt", bytes("a unique zebra word"));
    assert.equal(draft.summary.kind.type, "text");
    assert.deepEqual(await fake.previewDraft(draft.draft_id), { type: "text", name: "notes.txt", text: "a unique zebra word" });
    await assert.rejects(fake.extractAttachment("empty.txt", new Uint8Array()), appError("invalid_input", /“empty\.txt” is empty/));
    await assert.rejects(fake.extractAttachment("x.pdf", new Uint8Array([0, 1, 2, 0])), appError("invalid_input", /“x\.pdf”/));
  });

  test("a sent draft becomes the message's attachment, previewed by its id", async () => {
    const draft = await fake.extractAttachment("a.csv", bytes("a,b\n1,2"));
    let userAttachments: AttachmentSummary[] = [];
    await fake.sendMessage(null, "what is in it?", [draft.draft_id], null, null, (u) => {
      if (u.kind !== "started") return;
      userAttachments = u.user_message.attachments;
      void fake.stopStream(u.assistant_message_id); // the reply itself does not matter here
    });
    assert.equal(userAttachments.length, 1);
    const id = userAttachments[0]?.id;
    assert.equal(typeof id, "number");
    assert.deepEqual(await fake.previewAttachment(id!), { type: "text", name: "a.csv", text: "a,b\n1,2" });
    await assert.rejects(fake.previewDraft(draft.draft_id), appError("not_found", /no longer attached/));
  });
});

describe("drafts cut to fit", () => {
  test("the next send's drafts, and a cut draft redraws its chip", async () => {
    const updated: string[] = [];
    const queue = new AttachmentQueue({
      extract: async (name) => ({ draft_id: `d-${name}`, summary: summary(name) }),
      discard: async () => {},
      onAdded: () => {},
      onUpdated: (c) => updated.push(`${c.name}:${c.state}`),
      onRemoved: () => {},
    });
    queue.add([file("a.txt"), file("b.txt")]);
    await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(queue.nextDrafts.map((d) => d.draft_id), ["d-a.txt", "d-b.txt"]);
    updated.length = 0;
    assert.ok(queue.updateDraft({ draft_id: "d-b.txt", summary: summary("b.txt", { truncated: true, notes: ["Cut."] }) }));
    assert.deepEqual(updated, ["b.txt:truncated"]);
    assert.ok(!queue.updateDraft({ draft_id: "gone", summary: summary("x") }));
    const ticket = queue.beginSend();
    assert.deepEqual(queue.nextDrafts, [], "a send in flight takes them");
    assert.ok(!queue.updateDraft({ draft_id: "d-a.txt", summary: summary("a.txt") }), "locked chips are not changed");
    queue.finishSend(ticket!, false);
    assert.equal(queue.nextDrafts.length, 2);
  });

  test("the fake backend cuts by tokens and by pages, and says so", async () => {
    const text = await fake.extractAttachment("big.txt", new TextEncoder().encode("word ".repeat(4_000)));
    const cut = await fake.trimAttachment(text.draft_id, { type: "tokens", max: 100 });
    assert.ok(cut.summary.truncated && cut.summary.tokens <= 100, JSON.stringify(cut.summary));
    const pdfBytes = new Uint8Array(8_000);
    pdfBytes.set(new TextEncoder().encode("%PDF-1.4"));
    const pdf = await fake.extractAttachment("doc.pdf", pdfBytes);
    assert.equal(pdf.summary.pages, 4);
    const pages = await fake.trimAttachment(pdf.draft_id, { type: "pages", first: 2, last: 3 });
    assert.match(pages.summary.notes.join(" "), /pages 2–3 of 4/);
    await assert.rejects(fake.trimAttachment(pdf.draft_id, { type: "pages", first: 3, last: 9 }));
  });
});

describe("a locked PDF", () => {
  test("waits for its password, is not sent, says a refusal, and opens to a ready chip", async () => {
    assert.equal(draftState(summary("a.pdf", { truncated: true })), "truncated");
    const h = harness();
    h.queue.add([file("secret.pdf")]);
    await h.settle();
    await h.finish(0, { needs_password: true });
    assert.deepEqual(states(h.queue.chips), ["secret.pdf:password"]);
    assert.equal(h.queue.nextDrafts.length, 0, "a locked file is not sent");
    h.queue.refused("d-secret.pdf", { code: "invalid_input", message: "wrong password" });
    assert.equal(h.queue.chips[0]?.error?.message, "wrong password");
    assert.equal(h.queue.chips[0]?.state, "password", "still locked");
    h.queue.updateDraft({ draft_id: "d-secret.pdf", summary: summary("secret.pdf", { pages: 2 }) });
    assert.deepEqual(states(h.queue.chips), ["secret.pdf:ready"]);
    assert.equal(h.queue.chips[0]?.error, null);
    assert.equal(h.queue.nextDrafts.length, 1);
  });
});
