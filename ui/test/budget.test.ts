import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  BudgetWatch,
  costLabel,
  cutToFitTokens,
  doesNotFitText,
  gaugeFraction,
  gaugeText,
  largestTextDraft,
  pdfDrafts,
  readPageRange,
  type BudgetInput,
} from "../src/lib/budget";
import type { AttachmentDraft, DocumentKind, SendBudget } from "../src/types";

const budget = (extra: Partial<SendBudget> = {}): SendBudget => ({
  input_tokens: 12_345,
  counted: true,
  context_window: 200_000,
  max_tokens: 4_096,
  fits: true,
  ...extra,
});

const draft = (id: string, tokens: number, kind: DocumentKind = { type: "text" }, pages?: number): AttachmentDraft => ({
  draft_id: id,
  summary: { name: `${id}.txt`, kind, bytes: tokens * 4, tokens, truncated: false, notes: [], send_original: false, needs_password: false, page_images: 0, ...(pages ? { pages } : {}) },
});

describe("gauge wording", () => {
  test("tokens out of the window, the price, and whether it is an estimate", () => {
    assert.equal(gaugeText(budget({ input_cost_usd: 0.037 })), "12,345 / 200,000 tokens · ~$0.04");
    assert.equal(gaugeText(budget({ counted: false })), "12,345 / 200,000 tokens (estimate)");
    assert.equal(gaugeText(budget()), "12,345 / 200,000 tokens");
  });
  test("a price that rounds to nothing is still said to be something", () => {
    assert.equal(costLabel(0.0001), "<$0.01");
    assert.equal(costLabel(0), "~$0.00");
    assert.equal(costLabel(1.234), "~$1.23");
  });
  test("the fill stays within the bar", () => {
    assert.equal(gaugeFraction(budget({ input_tokens: 100_000 })), 0.5);
    assert.equal(gaugeFraction(budget({ input_tokens: 900_000 })), 1);
    assert.equal(gaugeFraction(budget({ context_window: 0 })), 1);
  });
  test("the alert says the numbers", () => {
    const text = doesNotFitText(budget({ input_tokens: 250_000, fits: false }), true);
    assert.match(text, /250,000 tokens plus up to 4,096 for the reply/);
    assert.match(text, /holds 200,000/);
    assert.match(text, /Remove a file/);
    assert.match(doesNotFitText(budget({ fits: false }), false), /start a new chat/);
  });
});

describe("cut to fit", () => {
  test("keeps what the window has left once the reply and the rest are counted", () => {
    // 250,000 in all, 240,000 of them the file: 10,000 others + 4,096 reply.
    assert.equal(cutToFitTokens(budget({ input_tokens: 250_000 }), 240_000), 200_000 - 4_096 - 10_000);
  });
  test("never below one token", () => {
    assert.equal(cutToFitTokens(budget({ input_tokens: 400_000 }), 10), 1);
  });
  test("the largest draft with text, never an image", () => {
    const drafts = [draft("a", 10), draft("img", 9_000, { type: "image" }), draft("b", 500), draft("c", 20)];
    assert.equal(largestTextDraft(drafts)?.draft_id, "b");
    assert.equal(largestTextDraft([draft("img", 9, { type: "image" })]), null);
  });
  test("PDFs with pages, the largest first", () => {
    const drafts = [draft("p1", 10, { type: "pdf" }, 3), draft("t", 99), draft("p2", 50, { type: "pdf" }, 8), draft("p0", 70, { type: "pdf" })];
    assert.deepEqual(pdfDrafts(drafts).map((d) => d.draft_id), ["p2", "p1"]);
  });
});

describe("page range", () => {
  test("reads a range within the document", () => {
    assert.deepEqual(readPageRange("2", " 5 ", 9), { ok: true, first: 2, last: 5 });
  });
  test("says which field is wrong", () => {
    assert.equal((readPageRange("0", "3", 9) as { field: string }).field, "first");
    assert.equal((readPageRange("1", "10", 9) as { field: string }).field, "last");
    assert.equal((readPageRange("4", "3", 9) as { field: string }).field, "last");
    assert.equal((readPageRange("1.5", "3", 9) as { field: string }).field, "first");
    assert.equal(readPageRange("", "3", 9).ok, false);
  });
});

describe("BudgetWatch", () => {
  const input = (text: string, attachments: string[] = []): BudgetInput => ({ conversationId: 1, text, model: "m", attachments, systemPrompt: null });

  function harness() {
    const asked: Array<{ input: BudgetInput; resolve(b: SendBudget): void; reject(e: unknown): void }> = [];
    const shown: Array<SendBudget | null> = [];
    const watch = new BudgetWatch({
      estimate: (i) => new Promise((resolve, reject) => asked.push({ input: i, resolve, reject })),
      onBudget: (b) => shown.push(b),
      debounceMs: 20,
    });
    return { watch, asked, shown };
  }
  const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

  test("a late answer to an older question is dropped", async () => {
    const { watch, asked, shown } = harness();
    watch.changed(input("a"));
    watch.changed(input("a", ["d1"]));
    assert.equal(asked.length, 2);
    asked[1]?.resolve(budget({ input_tokens: 2 }));
    await tick();
    asked[0]?.resolve(budget({ input_tokens: 1 }));
    await tick();
    assert.deepEqual(shown.map((b) => b?.input_tokens), [2]);
  });

  test("typing waits for a pause, and asks once", async () => {
    const { watch, asked } = harness();
    watch.changed(input("h"), true);
    watch.changed(input("he"), true);
    watch.changed(input("hello"), true);
    assert.equal(asked.length, 0);
    await tick(40);
    assert.deepEqual(asked.map((a) => a.input.text), ["hello"]);
  });

  test("the same question is not asked twice, unless invalidated", async () => {
    const { watch, asked } = harness();
    watch.changed(input("x"));
    watch.changed(input("x"));
    assert.equal(asked.length, 1);
    watch.invalidate();
    watch.changed(input("x"));
    assert.equal(asked.length, 2);
  });

  test("nothing to weigh in an empty new chat; a failure shows nothing and is asked again", async () => {
    const { watch, asked, shown } = harness();
    watch.changed({ conversationId: null, text: " ", model: "m", attachments: [], systemPrompt: null });
    await tick();
    assert.deepEqual(shown, [null]);
    assert.equal(asked.length, 0);
    watch.changed(input("q"));
    asked[0]?.reject(new Error("offline"));
    await tick();
    assert.deepEqual(shown, [null, null]);
    watch.changed(input("q"));
    assert.equal(asked.length, 2);
  });
});
