// The official TypeScript SDK (@anthropic-ai/sdk) on the SSE benchmark transcript.
//
// Runs exactly what an application's `client.messages.stream(...)` +
// `finalMessage()` runs: the SDK builds its request and calls `fetch`, which is
// replaced (the client's documented `fetch` option) by one answering in memory:
// a 200 `text/event-stream` Response whose body is a ReadableStream handing out
// the transcript in 1,400-byte Uint8Array chunks, one per pull. From there on
// everything is the SDK's own code: `Stream.fromSSEResponse` (its SSE decoder
// `_iterSSEMessages` and `JSON.parse` per event) feeding `MessageStream`'s
// accumulation into the final message. Nothing touches a network.
//
//   node scripts/bench/sse_node.mjs target/bench/transcript.sse [--reps N] [--warmup N] [--json]
//
// The SDK is loaded from `--sdk DIR` (default
// target/bench-node/node_modules/@anthropic-ai/sdk, where sse.sh installs it).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const CHUNK = 1400;

function parseArgs(argv) {
  const a = { path: '', reps: 21, warmup: 3, json: false, sdk: 'target/bench-node/node_modules/@anthropic-ai/sdk' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--reps') a.reps = Number(argv[++i]);
    else if (flag === '--warmup') a.warmup = Number(argv[++i]);
    else if (flag === '--sdk') a.sdk = argv[++i];
    else if (flag === '--json') a.json = true;
    else if (!flag.startsWith('-') && !a.path) a.path = flag;
    else throw new Error(`unknown argument ${flag}`);
  }
  if (!a.path || !(a.reps > 0)) throw new Error('usage: sse_node.mjs PATH [--reps N] [--warmup N] [--sdk DIR] [--json]');
  return a;
}

// scripts/bench/sse_transcript.py's canonical_json: sorted keys, `,`/`:`, non-ASCII as is.
function canonicalJson(v) {
  if (Array.isArray(v)) return '[' + v.map(canonicalJson).join(',') + ']';
  if (v !== null && typeof v === 'object') {
    return (
      '{' +
      Object.keys(v)
        .sort()
        .map((k) => JSON.stringify(k) + ':' + canonicalJson(v[k]))
        .join(',') +
      '}'
    );
  }
  return JSON.stringify(v);
}

// scripts/bench/sse_transcript.py's digest(), from the SDK's message.
function digest(msg) {
  const parts = msg.content.map((b) => {
    if (b.type === 'text') return 'text\0' + b.text;
    if (b.type === 'thinking') return 'thinking\0' + b.thinking + '\0' + b.signature;
    if (b.type === 'tool_use') return 'tool_use\0' + b.id + '\0' + b.name + '\0' + canonicalJson(b.input);
    throw new Error(`unexpected block ${b.type}`);
  });
  parts.push(`stop\0${msg.stop_reason}\0${msg.usage.input_tokens}\0${msg.usage.output_tokens}`);
  return createHash('sha256').update(parts.join('\x1e'), 'utf8').digest('hex');
}

function median(xs) {
  const s = [...xs].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

const a = parseArgs(process.argv.slice(2));
const sdkDir = path.resolve(a.sdk);
// The ESM entry, as `import Anthropic from '@anthropic-ai/sdk'` resolves it.
const sdkPackage = JSON.parse(readFileSync(path.join(sdkDir, 'package.json'), 'utf8'));
const { default: Anthropic } = await import(pathToFileURL(path.join(sdkDir, sdkPackage.exports['.'].default)).href);
const sdkVersion = sdkPackage.version;

const body = new Uint8Array(readFileSync(a.path));
const chunks = [];
for (let i = 0; i < body.length; i += CHUNK) chunks.push(body.subarray(i, Math.min(i + CHUNK, body.length)));

async function fakeFetch(_url, _init) {
  let next = 0;
  const stream = new ReadableStream({
    pull(controller) {
      if (next < chunks.length) controller.enqueue(chunks[next++]);
      else controller.close();
    },
  });
  return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

const client = new Anthropic({
  apiKey: 'bench-not-a-key',
  baseURL: 'http://127.0.0.1:9', // never reached: fetch answers in memory
  fetch: fakeFetch,
  maxRetries: 0,
});

async function run() {
  const stream = client.messages.stream({
    model: 'claude-sonnet-4-6',
    max_tokens: 64000,
    messages: [{ role: 'user', content: 'Benchmark.' }],
  });
  return await stream.finalMessage();
}

// No forced GC between repetitions: a `gc()` there (node --expose-gc) made
// V8 run the next repetition up to 4x slower, which is no app's situation.
const samples = [];
let msg;
for (let i = 0; i < a.warmup + a.reps; i++) {
  const start = performance.now();
  msg = await run();
  const elapsed = performance.now() - start;
  if (i >= a.warmup) samples.push(elapsed);
}

const textBytes = msg.content.filter((b) => b.type === 'text').reduce((n, b) => n + Buffer.byteLength(b.text, 'utf8'), 0);
const out = {
  contender: '@anthropic-ai/sdk (TypeScript)',
  version: sdkVersion,
  runtime: `Node ${process.version}`,
  median_ms: median(samples),
  min_ms: Math.min(...samples),
  reps: a.reps,
  samples_ms: samples,
  text_bytes: textBytes,
  digest: digest(msg),
};
console.error(
  `@anthropic-ai/sdk ${sdkVersion}: median ${out.median_ms.toFixed(1)} ms, min ${out.min_ms.toFixed(1)} ms over ${a.reps} reps (${a.warmup} warm-up); text ${textBytes} bytes; digest ${out.digest}`,
);
if (a.json) console.log(JSON.stringify(out));
