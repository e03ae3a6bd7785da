import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

// `npm test` runs from ui/.
const css = readFileSync("src/styles/app.css", "utf8");

/** The declarations of the first block that opens with `opener`, normalized. */
function declarations(opener: string): string[] {
  const start = css.indexOf(opener);
  assert.ok(start >= 0, `app.css has ${opener}`);
  const open = start + opener.length;
  const close = css.indexOf("}", open);
  return css
    .slice(open, close)
    .split(";")
    .map((d) => d.trim())
    .filter((d) => d !== "");
}

describe("app.css themes", () => {
  test("the system's dark and the chosen dark are the same colours", () => {
    const system = declarations('@media (prefers-color-scheme: dark) {\n  :root:not([data-theme="light"]) {');
    const chosen = declarations(':root[data-theme="dark"] {');
    assert.ok(system.length > 10);
    assert.deepEqual(chosen, system);
  });

  test("every colour the light theme sets, the dark theme sets too", () => {
    const names = (decls: string[]) => decls.map((d) => d.split(":")[0]?.trim() ?? "");
    const light = names(declarations(":root {")).filter((n) => n.startsWith("--") && !/^--(radius|sidebar-width|content-width|font|mono)$/.test(n));
    const dark = new Set(names(declarations(':root[data-theme="dark"] {')));
    assert.deepEqual(light.filter((n) => !dark.has(n)), []);
  });

  test("light can be forced over a dark system preference", () => {
    assert.match(css, /:root\[data-theme="light"\]\s*\{\s*color-scheme:\s*light;?\s*\}/);
    assert.match(css, /:root\[data-theme="dark"\]\s*\{\s*color-scheme:\s*dark;?\s*\}/);
  });
});
