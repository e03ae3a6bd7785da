import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readFileSync, readdirSync } from "node:fs";
import { backendText } from "../src/lib/errors";
import { formatRelative } from "../src/lib/time";
import { formatNumber, key, onLocaleChange, resolveLocale, setLocale, t, tn } from "../src/lib/i18n";
import { RU } from "../src/lib/ru";

// npm runs the tests in ui/.
function sources(dir: string, ext: string): Array<{ path: string; text: string }> {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(ext))
    .map((f) => ({ path: `${dir}/${f}`, text: readFileSync(`${dir}/${f}`, "utf8") }));
}

/** A double-quoted JS string literal's value (the sources use no other escapes in UI text). */
function unquote(body: string): string {
  return body.replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
}

/** Every literal given to t(), tn() (its first, singular form) and key() in the UI's sources. */
function uiKeys(): { plain: Map<string, string>; plural: Map<string, string> } {
  const plain = new Map<string, string>();
  const plural = new Map<string, string>();
  for (const { path, text } of sources("src", ".ts")) {
    if (path.endsWith("/ru.ts") || path.endsWith("/i18n.ts") || path.includes("/dev/")) continue;
    for (const m of text.matchAll(/\b(t|tn|key)\(\s*(?:[\w.()]+,\s*)?"((?:[^"\\]|\\.)*)"/g)) {
      const fn = m[1] as string;
      const english = unquote(m[2] as string);
      (fn === "tn" ? plural : plain).set(english, path);
    }
  }
  return { plain, plural };
}

/** The static page's strings, as views/page.ts collects them: text and aria-label/placeholder/title. */
function pageKeys(): string[] {
  const html = readFileSync("static/index.html", "utf8");
  const body = html.slice(html.indexOf("<body"));
  const norm = (s: string) => s.trim().replace(/\s+/g, " ");
  const keys = new Set<string>();
  for (const m of body.matchAll(/>([^<>]+)</g)) {
    const text = norm(m[1] as string);
    if (/\p{L}/u.test(text)) keys.add(text);
  }
  for (const m of body.matchAll(/\s(?:aria-label|placeholder|title)="([^"]*)"/g)) {
    const text = norm(m[1] as string);
    if (/\p{L}/u.test(text)) keys.add(text);
  }
  return [...keys];
}

/** The backend's messages, each `{…}` argument numbered as backendText numbers them. */
function backendTemplates(): Set<string> {
  const out = new Set<string>();
  for (const dir of ["../src-tauri/core/src", "../src-tauri/src"]) {
    for (const { text } of sources(dir, ".rs")) {
      for (const m of text.matchAll(/"((?:[^"\\]|\\.)*)"/gs)) {
        const literal = (m[1] as string)
          .replace(/\\\n\s*/g, "")
          .replace(/\\u\{([0-9a-fA-F]+)\}/g, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)));
        out.add(literal);
        // As backendText sees the message: each argument, and each number, in order.
        let i = 0;
        out.add(literal.replace(/\{[^{}]*\}/g, () => `{${i++}}`));
        let j = 0;
        out.add(literal.replace(/\{[^{}]*\}|\d+(?:[.,]\d+)*/g, () => `{${j++}}`));
      }
    }
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the Russian catalogue", () => {
  const { plain, plural } = uiKeys();
  const page = pageKeys();

  test("the scan finds the UI's strings", () => {
    assert.ok(plain.size > 200, `only ${plain.size} t()/key() strings found: the scan is broken`);
    assert.ok(plural.size >= 5, `only ${plural.size} tn() strings found`);
    assert.ok(page.includes("New chat") && page.includes("Search history (Ctrl+K)"), "the page scan is broken");
  });

  test("has every string of the sources and the page", () => {
    const missing = [...plain.keys(), ...page].filter((k) => typeof RU[k] !== "string");
    assert.deepEqual(missing, [], "strings without a Russian translation");
    const missingPlural = [...plural.keys()].filter((k) => !Array.isArray(RU[k]));
    assert.deepEqual(missingPlural, [], "counts without their three Russian forms");
  });

  test("keeps every placeholder of the English", () => {
    const wrong = Object.entries(RU).flatMap(([english, ru]) => {
      const forms: readonly string[] = typeof ru === "string" ? [ru] : ru;
      return forms.filter((f) => placeholders(f).join() !== placeholders(english).join()).map((f) => `${english} → ${f}`);
    });
    assert.deepEqual(wrong, []);
  });

  test("holds nothing stale: each entry is the UI's, the page's or the backend's", () => {
    const backend = backendTemplates();
    const used = new Set([...plain.keys(), ...plural.keys(), ...page]);
    const stale = Object.keys(RU).filter((k) => !used.has(k) && !backend.has(k));
    assert.deepEqual(stale, [], "entries nothing shows (renamed or removed strings)");
  });
});

describe("t, tn and the locale", () => {
  test("English is the source; Russian comes from the catalogue, placeholders filled", () => {
    setLocale("en");
    assert.equal(t("Delete"), "Delete");
    assert.equal(t("Request ID: {id}", { id: "req_1" }), "Request ID: req_1");
    setLocale("ru");
    assert.equal(t("Delete"), RU.Delete);
    assert.equal(t("Request ID: {id}", { id: "req_1" }), (RU["Request ID: {id}"] as string).replace("{id}", "req_1"));
    assert.equal(t("A string nobody translated"), "A string nobody translated");
    setLocale("en");
  });

  test("Russian counts take one, few and many", () => {
    setLocale("ru");
    assert.equal(tn(1, "{n} page", "{n} pages"), "1 страница");
    assert.equal(tn(3, "{n} page", "{n} pages"), "3 страницы");
    assert.equal(tn(5, "{n} page", "{n} pages"), "5 страниц");
    assert.equal(tn(21, "{n} page", "{n} pages"), "21 страница");
    assert.equal(tn(12, "{n} page", "{n} pages"), "12 страниц");
    setLocale("en");
    assert.equal(tn(1, "{n} page", "{n} pages"), "1 page");
    assert.equal(tn(2, "{n} page", "{n} pages"), "2 pages");
  });

  test("numbers and dates follow the language", () => {
    setLocale("ru");
    assert.equal(formatNumber(200000), "200\u00a0000");
    const now = new Date(2024, 2, 15, 14, 0).getTime();
    assert.equal(formatRelative(now - 5 * 60_000, now), "5 мин назад");
    assert.equal(formatRelative(new Date(2024, 2, 14, 12).getTime(), now), "Вчера");
    assert.match(formatRelative(new Date(2024, 0, 4).getTime(), now), /4 янв/);
    setLocale("en");
    assert.equal(formatNumber(200000), "200,000");
    assert.equal(formatRelative(now - 5 * 60_000, now), "5 min ago");
  });

  test("a switch tells the listeners once, and only when the language changes", () => {
    let calls = 0;
    const off = onLocaleChange(() => calls++);
    setLocale("ru");
    setLocale("ru");
    setLocale("en");
    off();
    setLocale("ru");
    setLocale("en");
    assert.equal(calls, 2);
  });

  test("the setting wins; 'system' takes the first language the app has", () => {
    assert.equal(resolveLocale("ru", ["en-US"]), "ru");
    assert.equal(resolveLocale("en", ["ru-RU"]), "en");
    assert.equal(resolveLocale("system", ["ru-RU", "en-US"]), "ru");
    assert.equal(resolveLocale("system", ["de-DE", "ru_RU.UTF-8", "en"]), "ru");
    assert.equal(resolveLocale("system", ["de-DE", "en-GB", "ru"]), "en");
    assert.equal(resolveLocale("system", ["de-DE"]), "en");
    assert.equal(resolveLocale("system", []), "en");
  });

  test("key() marks a string without changing it", () => {
    assert.equal(key("Queued"), "Queued");
  });
});

describe("backendText", () => {
  test("finds the backend's sentences, whatever their numbers", () => {
    setLocale("ru");
    const ru = RU["Temperature must be between {0} and {1}."] as string;
    assert.equal(backendText("Temperature must be between 0 and 1.5."), ru.replace("{0}", "0").replace("{1}", "1.5"));
    assert.equal(backendText("Wait 30 seconds, then try again."), (RU["Wait {0} seconds, then try again."] as string).replace("{0}", "30"));
    assert.equal(backendText("overloaded_error: try later"), "overloaded_error: try later", "the service's own words stay");
    setLocale("en");
    assert.equal(backendText("Temperature must be between 0 and 1.5."), "Temperature must be between 0 and 1.5.");
  });
});
