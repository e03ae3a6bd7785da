// `npm test`: bundles test/*.test.ts with esbuild into a temporary directory
// (node 20 cannot run TypeScript itself) and runs them with node's test runner.
import * as esbuild from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tests = readdirSync(join(root, "test")).filter((f) => f.endsWith(".test.ts")).sort();
if (tests.length === 0) {
  console.error("no test/*.test.ts files");
  process.exit(1);
}
const outdir = mkdtempSync(join(tmpdir(), "megallm-ui-tests-"));
let status = 1;
try {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: tests.map((f) => join("test", f)),
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "inline",
    logLevel: "warning",
  });
  const files = tests.map((f) => join(outdir, f.replace(/\.ts$/, ".mjs")));
  const run = spawnSync(process.execPath, ["--enable-source-maps", "--test", ...files], { stdio: "inherit" });
  status = run.status ?? 1;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
process.exit(status);
