import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { StreamingTail, type TailElement } from "../src/lib/stream";

/**
 * A fake of the message body: finished blocks are a list of strings, the tail
 * a string. It records every operation, and counts the characters it was
 * handed, so the tests can check that a delta's cost is the delta's size.
 */
class FakeTail implements TailElement {
  blocks: string[] = [];
  ops: string[] = [];
  charsWritten = 0;
  private html = "";
  get innerHTML(): string {
    this.ops.push("read");
    return this.html;
  }
  set innerHTML(value: string) {
    this.ops.push("set");
    this.charsWritten += value.length;
    this.html = value;
  }
  insertAdjacentHTML(position: "beforebegin", html: string): void {
    assert.equal(position, "beforebegin");
    this.ops.push("insert");
    this.charsWritten += html.length;
    this.blocks.push(html);
  }
  get rendered(): string {
    return this.blocks.join("") + this.html;
  }
}

describe("StreamingTail", () => {
  test("appends finished blocks before the tail and replaces the tail", () => {
    const el = new FakeTail();
    const s = new StreamingTail(el);
    s.apply({ append_html: "", tail_html: "<p>Hel</p>" });
    s.apply({ append_html: "", tail_html: "<p>Hello</p>" });
    s.apply({ append_html: "<p>Hello</p>", tail_html: "<ul><li>a</li></ul>" });
    s.apply({ append_html: "<ul><li>a</li></ul>", tail_html: "" });
    assert.deepEqual(el.blocks, ["<p>Hello</p>", "<ul><li>a</li></ul>"]);
    assert.equal(el.rendered, "<p>Hello</p><ul><li>a</li></ul>");
    assert.equal(s.tailHtml, "");
  });

  test("finished blocks go where the caller puts them (the pane's chunks), the tail stays", () => {
    const el = new FakeTail();
    const placed: string[] = [];
    const s = new StreamingTail(el, "", undefined, (html) => placed.push(html));
    s.apply({ append_html: "<p>One</p>", tail_html: "<p>Tw</p>" });
    s.apply({ append_html: "<p>Two</p>", tail_html: "" });
    assert.deepEqual(placed, ["<p>One</p>", "<p>Two</p>"]);
    assert.deepEqual(el.blocks, [], "nothing inserted beside the tail itself");
    assert.equal(s.tailHtml, "");
  });

  test("never reads the DOM back and skips writes that change nothing", () => {
    const el = new FakeTail();
    const s = new StreamingTail(el);
    assert.equal(s.apply({ append_html: "", tail_html: "<p>x</p>" }), true);
    assert.equal(s.apply({ append_html: "", tail_html: "<p>x</p>" }), false);
    assert.equal(s.apply({ append_html: "", tail_html: "<p>x</p>" }), false);
    assert.deepEqual(el.ops, ["set"]);
  });

  test("each delta costs the size of the delta, not of the answer", () => {
    const el = new FakeTail();
    const s = new StreamingTail(el);
    const block = "<p>" + "word ".repeat(40) + "</p>";
    let previous = 0;
    for (let i = 0; i < 2000; i++) {
      const tail = `<p>partial ${i}</p>`;
      s.apply({ append_html: block, tail_html: tail });
      const cost = el.charsWritten - previous;
      previous = el.charsWritten;
      assert.equal(cost, block.length + tail.length);
    }
    assert.equal(el.blocks.length, 2000);
    assert.ok(!el.ops.includes("read"));
  });

  test("beforeAppend runs only when blocks are appended, before the insert", () => {
    const el = new FakeTail();
    const s = new StreamingTail(el);
    const calls: number[] = [];
    s.apply({ append_html: "", tail_html: "<p>a</p>" }, () => calls.push(el.blocks.length));
    s.apply({ append_html: "<p>a</p>", tail_html: "" }, () => calls.push(el.blocks.length));
    assert.deepEqual(calls, [0]);
  });

  test("extending text is added inside the tail, and a later re-render replaces it", () => {
    const el = new FakeTail();
    const added: string[] = [];
    const s = new StreamingTail(el, "", (_tail, text) => {
      added.push(text);
      el.charsWritten += text.length;
    });
    s.apply({ append_html: "", tail_html: "<pre><code>a\n</code></pre>", tail_text: "" });
    const before = el.charsWritten;
    for (let i = 0; i < 1000; i++) s.apply({ append_html: "", tail_text: `line ${i}\n` });
    assert.equal(added.length, 1000);
    // Each extension costs its own size; the tail is never rewritten.
    assert.equal(el.charsWritten - before, added.join("").length);
    assert.deepEqual(el.ops, ["set"]);
    // The same HTML as before must still land after text was added.
    assert.equal(s.apply({ append_html: "", tail_html: "<pre><code>a\n</code></pre>" }), true);
    assert.deepEqual(el.ops, ["set", "set"]);
  });

  test("an initial tail is written once", () => {
    const el = new FakeTail();
    const s = new StreamingTail(el, "<p>start</p>");
    assert.equal(el.rendered, "<p>start</p>");
    s.apply({ append_html: "", tail_html: "<p>start</p>" });
    assert.deepEqual(el.ops, ["set"]);
  });
});
