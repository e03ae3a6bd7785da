import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { classifyLink, isExternalLinkAllowed } from "../src/lib/links";

describe("classifyLink", () => {
  test("http, https and mailto open externally, normalized", () => {
    assert.deepEqual(classifyLink("https://example.com/a?b=1#c"), { kind: "external", url: "https://example.com/a?b=1#c" });
    assert.deepEqual(classifyLink("http://Example.COM"), { kind: "external", url: "http://example.com/" });
    assert.deepEqual(classifyLink("  https://example.com/x  "), { kind: "external", url: "https://example.com/x" });
    assert.deepEqual(classifyLink("HTTPS://example.com/"), { kind: "external", url: "https://example.com/" });
    assert.deepEqual(classifyLink("mailto:someone@example.com"), { kind: "external", url: "mailto:someone@example.com" });
  });

  test("dangerous and local schemes are blocked", () => {
    for (const href of [
      "javascript:alert(1)",
      "JavaScript:alert(1)",
      " javascript:alert(1)",
      "java\tscript:alert(1)",
      "java\nscript:alert(1)",
      "\u0000javascript:alert(1)",
      "vbscript:msgbox(1)",
      "data:text/html,<script>alert(1)</script>",
      "file:///etc/passwd",
      "asset://localhost/x",
      "tauri://localhost/",
      "ipc://localhost/open_link",
      "blob:https://example.com/uuid",
      "ftp://example.com/",
      "about:blank",
    ]) {
      assert.deepEqual(classifyLink(href), { kind: "blocked" }, href);
      assert.equal(isExternalLinkAllowed(href), false, href);
    }
  });

  test("relative URLs are blocked (they would navigate the webview)", () => {
    for (const href of ["/index.html", "index.html", "../x", "//evil.example/x", "?q=1", "http:/", "https://"]) {
      assert.deepEqual(classifyLink(href), { kind: "blocked" }, href);
    }
  });

  test("missing or empty hrefs are blocked", () => {
    assert.deepEqual(classifyLink(null), { kind: "blocked" });
    assert.deepEqual(classifyLink(undefined), { kind: "blocked" });
    assert.deepEqual(classifyLink(""), { kind: "blocked" });
    assert.deepEqual(classifyLink("   "), { kind: "blocked" });
    assert.deepEqual(classifyLink("#"), { kind: "blocked" });
  });

  test("in-page fragments scroll (footnotes)", () => {
    assert.deepEqual(classifyLink("#fn-1"), { kind: "fragment", id: "fn-1" });
    assert.deepEqual(classifyLink("#caf%C3%A9"), { kind: "fragment", id: "café" });
    assert.deepEqual(classifyLink("#%E0%A4%A"), { kind: "blocked" }, "malformed escapes");
  });
});
