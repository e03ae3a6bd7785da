// Bundles the UI with esbuild.
//   node scripts/build.mjs          -> dist/      (the app: index.html, app.js, app.css)
//   node scripts/build.mjs --demo   -> dist-demo/ (same UI on an in-memory fake backend,
//                                                 for a plain browser; never shipped)
//   node scripts/build.mjs --watch  -> dist/, rebuilt on change
import * as esbuild from "esbuild";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const demo = args.has("--demo");
const watch = args.has("--watch");
const outdir = join(root, demo ? "dist-demo" : "dist");
const backendTs = join(root, "src", "backend.ts");
const fakeBackendTs = join(root, "src", "dev", "fake-backend.ts");

/** Only src/backend.ts may import @tauri-apps/*; the demo swaps it for the fake. */
const backendBoundary = {
  name: "backend-boundary",
  setup(build) {
    build.onResolve({ filter: /^@tauri-apps\// }, (a) => {
      if (a.importer !== backendTs) {
        return { errors: [{ text: `${a.path} may only be imported by src/backend.ts (imported by ${a.importer})` }] };
      }
      return undefined;
    });
    if (demo) {
      build.onResolve({ filter: /(^|\/)backend$/ }, (a) => {
        if (a.importer === fakeBackendTs) return undefined;
        return resolve(a.resolveDir, `${a.path}.ts`) === backendTs ? { path: fakeBackendTs } : undefined;
      });
    }
  },
};

const options = {
  absWorkingDir: root,
  entryPoints: [
    { in: "src/main.ts", out: "app" },
    { in: "src/styles/app.css", out: "app" },
  ],
  outdir,
  bundle: true,
  format: "esm",
  platform: "browser",
  // WebKitGTK 2.4x / WebView2 / WKWebView of the supported systems.
  target: ["es2022", "safari16", "chrome110"],
  minify: !watch && !demo,
  sourcemap: demo || watch ? "linked" : false,
  legalComments: "eof",
  charset: "utf8",
  logLevel: "info",
  plugins: [backendBoundary],
};

/** The files below a folder, by path relative to it. */
function filesOf(dir, prefix = "") {
  const files = new Map();
  for (const e of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const name = join(prefix, e.name);
    if (e.isDirectory()) for (const [k, v] of filesOf(dir, name)) files.set(k, v);
    else if (e.isFile()) files.set(name, readFileSync(join(dir, name)));
  }
  return files;
}

/**
 * Makes `outdir` hold exactly `files`, writing only those whose bytes
 * differ: the app embeds dist/ at compile time and cargo rebuilds it (a
 * release build takes minutes) when any file there is newer, so a rebuild of
 * an unchanged UI must leave every file as it was.
 */
function syncOutdir(files) {
  mkdirSync(outdir, { recursive: true });
  const old = filesOf(outdir);
  for (const [name, contents] of files) {
    if (!old.get(name)?.equals(contents)) {
      mkdirSync(dirname(join(outdir, name)), { recursive: true });
      writeFileSync(join(outdir, name), contents);
    }
  }
  for (const name of old.keys()) {
    if (!files.has(name)) rmSync(join(outdir, name));
  }
}

if (watch) {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  cpSync(join(root, "static"), outdir, { recursive: true });
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  const result = await esbuild.build({ ...options, write: false });
  const files = filesOf(join(root, "static"));
  for (const f of result.outputFiles) files.set(relative(outdir, f.path), Buffer.from(f.contents));
  syncOutdir(files);
}
