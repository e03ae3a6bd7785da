import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { escapeHtml, snippetToHtml, snippetToText } from "../src/lib/html";

const S = "\u0002";
const E = "\u0003";

describe("escapeHtml", () => {
  test("escapes the five HTML-significant characters", () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });
  test("leaves other text alone", () => {
    assert.equal(escapeHtml("héllo — 世界 ✓"), "héllo — 世界 ✓");
  });
});

describe("snippetToHtml", () => {
  test("turns the markers into <mark>", () => {
    assert.equal(snippetToHtml(`the ${S}quick${E} brown ${S}fox${E}`), "the <mark>quick</mark> brown <mark>fox</mark>");
  });

  test("plain text without markers is only escaped", () => {
    assert.equal(snippetToHtml("a < b && c > d"), "a &lt; b &amp;&amp; c &gt; d");
  });

  test("hostile markup stays inert text", () => {
    const out = snippetToHtml(`<img src=x onerror="alert(1)"> ${S}<script>alert(2)</script>${E}`);
    assert.equal(out, '&lt;img src=x onerror=&quot;alert(1)&quot;&gt; <mark>&lt;script&gt;alert(2)&lt;/script&gt;</mark>');
    // The only tags left are the marks we produced.
    assert.deepEqual(out.match(/<[^>]*>/g), ["<mark>", "</mark>"]);
  });

  test("markup split across markers cannot form a tag", () => {
    const out = snippetToHtml(`<${S}img${E} src=x onerror=alert(1)>`);
    assert.equal(out, "&lt;<mark>img</mark> src=x onerror=alert(1)&gt;");
    assert.doesNotMatch(out, /<img/i);
  });

  test("a snippet pretending to contain a mark tag is escaped", () => {
    assert.equal(snippetToHtml("<mark>x</mark>"), "&lt;mark&gt;x&lt;/mark&gt;");
  });

  test("unbalanced markers are tolerated", () => {
    assert.equal(snippetToHtml(`a${E}b`), "ab", "a stray end is dropped");
    assert.equal(snippetToHtml(`a${S}b`), "a<mark>b</mark>", "an unclosed start closes at the end");
    assert.equal(snippetToHtml(`${S}a${S}b${E}c`), "<mark>ab</mark>c", "nested starts are ignored");
    assert.equal(snippetToHtml(`x${S}${E}y`), "xy", "empty marks are omitted");
    assert.equal(snippetToHtml(""), "");
  });

  test("other control characters are removed, whitespace kept", () => {
    assert.equal(snippetToHtml("a\u0000b\u0007c\td\ne\u007f"), "abc\td\ne");
  });

  test("quotes are escaped so the output is also attribute-safe", () => {
    assert.equal(snippetToHtml(`${S}"${E}'`), "<mark>&quot;</mark>&#39;");
  });
});

describe("snippetToText", () => {
  test("drops the markers", () => {
    assert.equal(snippetToText(`a ${S}b${E} <c>`), "a b <c>");
  });
});
