// Bundles the UI with esbuild.
//   node scripts/build.mjs          -> dist/      (the app: index.html, app.js, app.css)
//   node scripts/build.mjs --demo   -> dist-demo/ (same UI on an in-memory fake backend,
//                                                 for a plain browser; never shipped)
//   node scripts/build.mjs --watch  -> dist/, rebuilt on change
import * as esbuild from "esbuild";
import { cpSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
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

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
cpSync(join(root, "static"), outdir, { recursive: true });

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

if (watch) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
}
