// An in-memory stand-in for `../backend`, with the same exports, so the UI runs
// in a plain browser (`npm run build:demo`, then open dist-demo/index.html).
// Never part of the app bundle. It exercises what the real backend does that
// the UI must cope with: paging, streaming deltas, stops, failures, hostile
// search snippets and links.
//
// Typed text triggers special cases: "reject" fails before anything is stored
// (the composer gets the text back), "fail" fails mid-reply with a rate limit,
// "long" streams a long answer. Attached files are read as described above
// `extractAttachment`; conversation 5 opens with an attachment on its first
// message.
//
// The gauge: 4 bytes a token, a 200,000-token window, except the model
// "Tiny window (demo)" with 2,000 tokens, to see a message that does not fit.
// Presets start as the real built-ins; sampling is checked against the real
// limits (sampling_limits), with the real kind of message.
//
// Settings: there is no keychain here, so a stored key goes to "a file" with the
// notice the real backend gives then; a key containing "bad" is refused, and a
// service address that is not http(s) is rejected on save. Without a key the
// model list and sending fail as they do for real.

import type {
  AppError,
  AppInfo,
  AttachmentDraft,
  AttachmentPreview,
  AttachmentSummary,
  Conversation,
  ConversationPage,
  ConversationSummary,
  ConversationView,
  DocumentKind,
  ExportFormat,
  KeyStatus,
  ListCursor,
  MessageView,
  ModelCatalogue,
  ModelInfo,
  Preset,
  RateLimits,
  UsageRecord,
  RetryMode,
  SearchHit,
  SamplingLimits,
  SamplingSettings,
  SearchQuery,
  SendBudget,
  Settings,
  StreamUpdate,
  Trim,
  TurnResult,
  ConversationSettings,
} from "../types";

// --- sample content ------------------------------------------------------------

const TOPICS = ["Rust lifetimes", "sourdough", "tax forms", "CSS grid", "SQLite FTS5", "a haiku", "trip to Kyoto"];

const SAMPLE_BLOCKS = [
  "<h2>Overview</h2>",
  '<p>Here is a <strong>short</strong> answer with <code>inline code</code> and a <a href="https://www.rust-lang.org/">link</a>, plus one that must be blocked: <a href="javascript:alert(1)">bad link</a>.</p>',
  "<ul>\n<li>First point</li>\n<li>Second point with more words to wrap around the line</li>\n</ul>",
  '<pre><code class="language-rust">fn main() {\n    let v: Vec&lt;u32&gt; = (1..=10).map(|x| x * x).collect();\n    println!("{:?} and a very long line that should scroll horizontally rather than wrap inside the code block", v);\n}\n</code></pre>',
  "<table>\n<thead><tr><th>Model</th><th>Context</th></tr></thead>\n<tbody><tr><td>Opus</td><td>200k</td></tr><tr><td>Haiku</td><td>200k</td></tr></tbody>\n</table>",
  "<blockquote>\n<p>A quoted paragraph, for good measure.</p>\n</blockquote>",
  "<p>That is all.</p>",
];

const SAMPLE_HTML = [SAMPLE_BLOCKS.join("\n"), "<p>A plain paragraph answer.</p>", SAMPLE_BLOCKS.slice(2, 4).join("\n")];

const CONVERSATIONS = 2_000;
const DAY = 86_400_000;
const now0 = Date.now();

interface FakeConversation extends ConversationSummary {
  deleted: boolean;
  messages: MessageView[] | null;
  system_prompt?: string;
  sampling: SamplingSettings;
}

let nextMessageId = 1_000_000;
const conversations = new Map<number, FakeConversation>();
for (let id = 1; id <= CONVERSATIONS; id++) {
  conversations.set(id, {
    id,
    title: id === 3 ? `<img src=x onerror=alert(1)> tricky title` : `Conversation ${id}: ${TOPICS[id % TOPICS.length]}`,
    model: "claude-sonnet-4-5",
    pinned: id === 7 || id === 42,
    archived: false,
    created_at: now0 - id * 3_600_000 * 5,
    updated_at: now0 - id * 3_600_000 * 5 + 60_000,
    message_count: id === 1 ? 200 : 6,
    deleted: false,
    messages: null,
    sampling: {},
  });
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const fail = (code: AppError["code"], message: string, extra: Partial<AppError> = {}): AppError => ({ code, message, ...extra });

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function messagesOf(c: FakeConversation): MessageView[] {
  if (!c.messages) {
    c.messages = [];
    for (let i = 0; i < c.message_count; i++) {
      const user = i % 2 === 0;
      const text = user ? `Question ${i / 2 + 1} about ${TOPICS[c.id % TOPICS.length]}?` : `Answer ${i}.`;
      c.messages.push({
        id: c.id * 1000 + i,
        role: user ? "user" : "assistant",
        status: i === c.message_count - 1 && c.id === 2 ? "interrupted" : "complete",
        html: user ? `<p>${escape(text)}</p>` : SAMPLE_HTML[i % SAMPLE_HTML.length] ?? "",
        text,
        created_at: c.created_at + i * 60_000,
        attachments: user && i === 0 && c.id === 5 ? [storeAttachment(SAMPLE_NOTES)] : [],
        versions: [],
      });
    }
    if (c.id === 4) {
      c.messages.push({
        id: c.id * 1000 + 999,
        role: "assistant",
        status: "error",
        html: "",
        text: "",
        error: "<b>Overloaded</b>: the service is busy (this markup must show as text).",
        created_at: c.updated_at,
        attachments: [],
        versions: [],
      });
    }
  }
  return c.messages;
}

function summary(c: FakeConversation): ConversationSummary {
  const { deleted: _d, messages: _m, system_prompt: _p, sampling: _s, ...s } = c;
  return s;
}

function conversationOf(c: FakeConversation): Conversation {
  const { deleted: _d, messages: _m, message_count: _n, ...rest } = c;
  return { ...rest, sampling: { ...c.sampling } } as Conversation;
}

function sorted(archived = false): FakeConversation[] {
  return [...conversations.values()]
    .filter((c) => !c.deleted && c.archived === archived)
    .sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.updated_at - a.updated_at || b.id - a.id);
}

// --- settings and the key -----------------------------------------------------

const NO_KEYCHAIN_NOTICE =
  "No keychain service (Secret Service) is running, so the API key is stored in ~/.config/megallm/api-key, a file only you can read.";

let settings: Settings = {
  base_url: "https://fake.invalid",
  default_model: "claude-sonnet-4-5",
  theme: "system",
  max_concurrent: 10,
  language: "system",
} as Settings;
let key: KeyStatus = { present: true, backend: "file", notice: NO_KEYCHAIN_NOTICE } as KeyStatus;

const noKey = () => fail("config", "No MegaLLM API key is set.");

export async function getSettings(): Promise<Settings> {
  await delay(20);
  return { ...settings };
}

export async function saveSettings(next: Settings): Promise<Settings> {
  await delay(120);
  let url: URL;
  try {
    url = new URL(next.base_url.trim());
  } catch {
    throw fail("config", `“${next.base_url}” is not a valid service address.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw fail("config", "The service address must use https (or http).");
  }
  settings = { ...next, base_url: url.href.replace(/\/+$/, "") };
  return { ...settings };
}

export async function keyStatus(): Promise<KeyStatus> {
  await delay(60);
  return { ...key };
}

export async function setApiKey(newKey: string): Promise<KeyStatus> {
  await delay(120);
  if (/bad/i.test(newKey)) throw fail("config", "That does not look like a MegaLLM API key.");
  key = { present: true, backend: "file", notice: NO_KEYCHAIN_NOTICE } as KeyStatus;
  return { ...key };
}

export async function deleteApiKey(): Promise<KeyStatus> {
  await delay(60);
  key = { present: false, backend: "none" } as KeyStatus;
  return { ...key };
}

export async function appInfo(): Promise<AppInfo> {
  await delay(30);
  return {
    version: "demo",
    base_url: settings.base_url,
    has_api_key: key.present,
    data_dir: "/tmp/demo",
    default_model: settings.default_model,
    system_languages: [...navigator.languages],
  } as AppInfo;
}

export async function usageReport(days: number): Promise<UsageRecord[]> {
  await delay(40);
  const today = Date.now();
  return Array.from({ length: Math.min(days, 14) }, (_, i) => ({
    day: new Date(today - i * 86_400_000).toISOString().slice(0, 10),
    model: i % 3 === 0 ? "claude-opus-4-1-20250805" : "claude-sonnet-4",
    messages: 1 + (i % 4),
    input_tokens: 1200 * (1 + (i % 5)),
    output_tokens: 400 * (1 + (i % 3)),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: i % 2 === 0 ? 5000 : 0,
    cost_usd: 0.004 * (1 + (i % 5)),
    unpriced_messages: 0,
  }));
}

export async function rateLimits(): Promise<RateLimits | null> {
  await delay(20);
  return { requests: { limit: 50, remaining: 49 } };
}

export async function listModels(_refresh = false): Promise<ModelCatalogue> {
  await delay(300);
  // As the app does: no key, nothing to ask, the built-in list and why.
  if (!key.present) {
    return {
      models: [
        { id: "claude-opus-4-1-20250805", display_name: "Claude Opus 4.1", messages_api: true },
        { id: "claude-sonnet-4", display_name: "Claude Sonnet 4", messages_api: true },
      ],
      source: "builtin",
      warning: "No API key is set. Open Settings and add your MegaLLM API key.",
    };
  }
  return { models: FAKE_MODELS.map((m) => ({ ...m })), source: "live" };
}

const FAKE_MODELS: ModelInfo[] = [
  { id: "claude-opus-4-1", display_name: "Claude Opus 4.1", messages_api: true, context_window: 200_000, max_output_tokens: 32_000, pricing: { input_per_million: 15, output_per_million: 75 } },
  { id: "claude-sonnet-4-5", display_name: "Claude Sonnet 4.5", messages_api: true, context_window: 200_000, max_output_tokens: 64_000, pricing: { input_per_million: 3, output_per_million: 15 } },
  { id: "claude-haiku-4-5", display_name: "Claude Haiku 4.5", messages_api: true, context_window: 200_000, max_output_tokens: 64_000 },
  { id: "claude-tiny-demo", display_name: "Tiny window (demo)", messages_api: true, context_window: 2_000, max_output_tokens: 500 },
  { id: "gpt-image", display_name: "Not a Claude model", messages_api: false },
];

export async function listConversations(archived: boolean, cursor: ListCursor | null, limit: number): Promise<ConversationPage> {
  await delay(40);
  // Casts keep the fake compiling if a binding grows a field the demo does not need.
  const all = sorted(archived);
  const offset = cursor ? (cursor as unknown as { offset: number }).offset : 0;
  const items = all.slice(offset, offset + limit).map(summary);
  const page = { items } as unknown as ConversationPage;
  if (offset + limit < all.length) page.next_cursor = { offset: offset + limit } as unknown as ListCursor;
  return page;
}

export async function openConversation(id: number, before: number | null, limit: number): Promise<ConversationView> {
  await delay(40);
  const c = conversations.get(id);
  if (!c || c.deleted) throw fail("not_found", "This conversation no longer exists.");
  const all = messagesOf(c);
  const end = before === null ? all.length : all.findIndex((m) => m.id >= before);
  const stop = end < 0 ? all.length : end;
  const start = Math.max(0, stop - limit);
  return {
    conversation: conversationOf(c),
    messages: all.slice(start, stop),
    has_more: start > 0,
  };
}

// --- attachments ------------------------------------------------------------------
//
// Text (UTF-8), code by extension, CSV, PNG/JPEG/GIF/WebP and PDF (pretended)
// are "read"; an empty file, one over the real limit and binary junk are
// refused with the real backend's kind of message. Reading takes longer for
// a bigger file, so the chips' queue can be watched; a text past 100,000
// characters is cut, with a note, to show a truncated chip.

interface FakeAttachment {
  summary: AttachmentSummary;
  preview: AttachmentPreview;
}

const MAX_FAKE_FILE_BYTES = 100_000_000;
const MAX_FAKE_TEXT_CHARS = 100_000;
const draftStore = new Map<string, FakeAttachment>();
const storedAttachments = new Map<number, FakeAttachment>();
let nextDraft = 1;
let nextAttachmentId = 1;

const CODE_LANGUAGES: Record<string, string> = { rs: "rust", ts: "typescript", js: "javascript", py: "python", json: "json" };

const SAMPLE_NOTES: FakeAttachment = {
  summary: { name: "notes.txt", kind: { type: "text" }, bytes: 52, tokens: 13, truncated: false, notes: [], send_original: false, needs_password: false, page_images: 0 },
  preview: { type: "text", name: "notes.txt", text: "Sample notes attached to a stored message (demo)." },
};

function storeAttachment(a: FakeAttachment): AttachmentSummary {
  const id = nextAttachmentId++;
  const stored = { summary: { ...a.summary, id }, preview: a.preview };
  storedAttachments.set(id, stored);
  return stored.summary;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

function imageType(b: Uint8Array): string | null {
  const starts = (...sig: number[]) => sig.every((v, i) => b[i] === v);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return "image/png";
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x47, 0x49, 0x46, 0x38)) return "image/gif";
  if (starts(0x52, 0x49, 0x46, 0x46) && b[8] === 0x57 && b[9] === 0x45) return "image/webp";
  return null;
}

/** A PNG's size from its IHDR chunk (0 × 0 for the other formats, in the demo). */
function pngSize(b: Uint8Array): { width: number; height: number } {
  if (b.length < 24) return { width: 0, height: 0 };
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function readFake(name: string, bytes: Uint8Array): FakeAttachment {
  const quoted = `“${name}”`;
  if (bytes.length === 0) throw fail("invalid_input", `${quoted} is empty. Choose the file again; it may not have finished saving.`);
  if (bytes.length > MAX_FAKE_FILE_BYTES) {
    throw fail("too_large", `${quoted} is too large (the limit is 100 MB). Split it into smaller files.`);
  }
  const media = imageType(bytes);
  if (media) {
    const { width, height } = media === "image/png" ? pngSize(bytes) : { width: 0, height: 0 };
    return {
      summary: { name, kind: { type: "image" }, bytes: bytes.length, tokens: Math.min(1600, Math.ceil((width * height) / 750)), truncated: false, notes: [], send_original: false, needs_password: false, page_images: 0 },
      preview: { type: "image", name, media_type: media, data: base64(bytes), width, height },
    };
  }
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? "";
  if (new TextDecoder().decode(bytes.subarray(0, 5)) === "%PDF-") {
    // One pretend page per 2,000 bytes, each about 500 tokens of filler.
    const pages = Math.max(1, Math.floor(bytes.length / 2_000));
    const text = Array.from({ length: pages }, (_, i) => pdfPage(name, i + 1)).join("\n");
    return {
      summary: { name, kind: { type: "pdf" }, pages, bytes: bytes.length, tokens: Math.ceil(text.length / 4), truncated: false, notes: [], send_original: false, needs_password: false, page_images: 0 },
      preview: { type: "text", name, text },
    };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    text = "\0";
  }
  if (text.includes("\0")) {
    throw fail("invalid_input", `${quoted} is not a kind of file that can be read. Save it as text, PDF, DOCX, XLSX or an image and attach that.`);
  }
  const notes: string[] = [];
  if (text.length > MAX_FAKE_TEXT_CHARS) {
    text = text.slice(0, MAX_FAKE_TEXT_CHARS);
    notes.push(`Only the first ${MAX_FAKE_TEXT_CHARS.toLocaleString("en-US")} characters are included.`);
  }
  const language = CODE_LANGUAGES[ext];
  const kind: DocumentKind = language ? { type: "code", language } : ext === "csv" ? { type: "csv" } : { type: "text" };
  const summary: AttachmentSummary = {
    name,
    kind,
    bytes: bytes.length,
    tokens: Math.ceil(text.length / 4),
    truncated: notes.length > 0,
    notes,
    send_original: false, needs_password: false, page_images: 0,
  };
  if (kind.type === "csv") summary.sheets = 1;
  return { summary, preview: { type: "text", name, text: language ? `\`\`\`${language}\n${text}\n\`\`\`` : text } };
}

function pdfPage(name: string, n: number): string {
  return `[Page ${n}]\n(The demo does not read PDFs; this stands for page ${n} of ${name}.) ${"Lorem ipsum dolor sit amet. ".repeat(70)}`;
}

export async function extractAttachment(name: string, bytes: Uint8Array): Promise<AttachmentDraft> {
  await delay(150 + Math.min(2_000, bytes.length / 50_000));
  const read = readFake(name, bytes);
  const draftId = `draft-${nextDraft++}`;
  draftStore.set(draftId, read);
  return { draft_id: draftId, summary: read.summary };
}

export async function discardAttachment(draftId: string): Promise<void> {
  await delay(10);
  draftStore.delete(draftId);
}

export async function previewDraft(draftId: string): Promise<AttachmentPreview> {
  await delay(30);
  const draft = draftStore.get(draftId);
  if (!draft) throw fail("not_found", "This file is no longer attached.");
  return draft.preview;
}

export async function previewAttachment(attachmentId: number): Promise<AttachmentPreview> {
  await delay(30);
  const stored = storedAttachments.get(attachmentId);
  if (!stored) throw fail("not_found", "This attachment is no longer stored.");
  return stored.preview;
}

const stops = new Set<number>();

export async function sendMessage(
  conversationId: number | null,
  text: string,
  attachmentIds: string[],
  model: string | null,
  systemPrompt: string | null,
  onEvent: (update: StreamUpdate) => void,
): Promise<TurnResult> {
  await delay(150);
  if (!key.present) throw noKey();
  if (text.trim() === "" && attachmentIds.length === 0) throw fail("invalid_input", "The message is empty.");
  if (/reject/i.test(text)) {
    throw fail("auth", "The API key was rejected (401).", { request_id: "req_demo_123" });
  }
  const drafts = attachmentIds.map((id) => {
    const draft = draftStore.get(id);
    if (!draft) throw fail("invalid_input", "An attached file is no longer available. Attach it again.");
    return draft;
  });
  for (const id of attachmentIds) draftStore.delete(id);
  let c = conversationId === null ? undefined : conversations.get(conversationId);
  if (!c) {
    const id = Math.max(...conversations.keys()) + 1;
    c = {
      id,
      // Files alone are titled by their names, as the real backend does.
      title: (text.trim() || drafts.map((d) => d.summary.name).join(", ")).slice(0, 40),
      model: model ?? "claude-sonnet-4-5",
      pinned: false,
      archived: false,
      created_at: Date.now(),
      updated_at: Date.now(),
      message_count: 0,
      deleted: false,
      messages: [],
      sampling: {},
    };
    conversations.set(id, c);
  }
  if (systemPrompt !== null) {
    if (systemPrompt.trim() === "") delete c.system_prompt;
    else c.system_prompt = systemPrompt;
  }
  const messages = messagesOf(c);
  const user: MessageView = {
    id: nextMessageId++,
    role: "user",
    status: "complete",
    html: `<p>${escape(text)}</p>`,
    text,
    created_at: Date.now(),
    attachments: drafts.map(storeAttachment),
    versions: [],
  };
  const assistantId = nextMessageId++;
  messages.push(user);
  c.updated_at = Date.now();
  c.message_count += 2;
  onEvent({ kind: "started", conversation_id: c.id, user_message: user, assistant_message_id: assistantId });

  const blocks = /long/i.test(text) ? [...SAMPLE_BLOCKS, ...SAMPLE_BLOCKS, ...SAMPLE_BLOCKS] : SAMPLE_BLOCKS;
  const done: string[] = [];
  const conversation = c;
  const finish = (status: MessageView["status"], error?: AppError): TurnResult => {
    const message: MessageView = {
      id: assistantId,
      role: "assistant",
      status,
      html: done.join(""),
      text: done.join("").replace(/<[^>]+>/g, ""),
      model: model ?? "claude-sonnet-4-5",
      created_at: Date.now(),
      attachments: [],
      versions: [],
    };
    if (error && status === "error") message.error = error.message;
    messages.push(message);
    if (error) onEvent({ kind: "failed", error, message });
    else onEvent({ kind: "finished", message });
    return { conversation_id: conversation.id, title: conversation.title, message, ...(error ? { error } : {}) };
  };
  for (let b = 0; b < blocks.length; b++) {
    const block = blocks[b] ?? "";
    // Reveal each block a few characters at a time as the tail, then append it.
    const words = block.split(/(?<=\s)/);
    let partial = "";
    for (const w of words) {
      if (stops.has(assistantId)) {
        return finish("interrupted", fail("cancelled", "Stopped."));
      }
      partial += w;
      onEvent({ kind: "delta", append_html: "", tail_html: closeTags(partial), tail_text: "" });
      await delay(25);
    }
    if (/fail/i.test(text) && b === 1) {
      return finish("error", fail("rate_limit", "Rate limit reached for requests per minute.", { retry_after_secs: 20 }));
    }
    done.push(block);
    onEvent({ kind: "delta", append_html: block, tail_html: "", tail_text: "" });
  }
  return finish("complete");
}

/** Good enough for the demo's own sample HTML: closes what the cut opened. */
function closeTags(partial: string): string {
  const open: string[] = [];
  for (const m of partial.matchAll(/<(\/?)([a-z0-9]+)[^>]*>/g)) {
    if (m[1]) open.pop();
    else if (!["br", "hr", "img"].includes(m[2] ?? "")) open.push(m[2] ?? "");
  }
  const cut = partial.replace(/<[^>]*$/, "");
  return cut + open.reverse().map((t) => `</${t}>`).join("");
}

/** Regenerate and continue both stream a fresh sample reply in the demo. */
export async function retryReply(
  conversationId: number,
  messageId: number,
  mode: RetryMode,
  model: string | null,
  onEvent: (update: StreamUpdate) => void,
): Promise<TurnResult> {
  await delay(100);
  const c = conversations.get(conversationId);
  if (!c) throw fail("not_found", "This conversation no longer exists.");
  const messages = messagesOf(c);
  const at = messages.findIndex((m) => m.id === messageId);
  const user = messages[at - 1];
  if (at < 0 || !user) throw fail("invalid_request", "Only a reply can be regenerated.");
  messages.splice(at, 1);
  const assistantId = mode === "continue" ? messageId : nextMessageId++;
  onEvent({ kind: "started", conversation_id: c.id, user_message: user, assistant_message_id: assistantId, replaces: messageId });
  for (const block of SAMPLE_BLOCKS) {
    if (stops.has(assistantId)) break;
    onEvent({ kind: "delta", append_html: block, tail_html: "", tail_text: "" });
    await delay(60);
  }
  const message: MessageView = {
    id: assistantId,
    role: "assistant",
    status: stops.has(assistantId) ? "interrupted" : "complete",
    html: SAMPLE_BLOCKS.join(""),
    text: SAMPLE_BLOCKS.join("").replace(/<[^>]+>/g, ""),
    model: model ?? "claude-sonnet-4-5",
    created_at: Date.now(),
    attachments: [],
    versions: [],
  };
  messages.push(message);
  onEvent({ kind: "finished", message });
  return { conversation_id: c.id, title: c.title, message };
}

/** The demo keeps one branch: an edit drops the old version and what followed it. */
export async function editMessage(
  conversationId: number,
  messageId: number,
  text: string,
  model: string | null,
  onEvent: (update: StreamUpdate) => void,
): Promise<TurnResult> {
  const c = conversations.get(conversationId);
  if (!c) throw fail("not_found", "This conversation no longer exists.");
  const messages = messagesOf(c);
  const at = messages.findIndex((m) => m.id === messageId && m.role === "user");
  if (at < 0) throw fail("invalid_request", "Only your own messages can be edited.");
  messages.splice(at);
  return sendMessage(conversationId, text, [], model, null, (u) =>
    onEvent(u.kind === "started" ? { ...u, replaces: messageId } : u),
  );
}

export async function selectBranch(messageId: number, limit: number): Promise<ConversationView> {
  for (const c of conversations.values()) {
    if (messagesOf(c).some((m) => m.id === messageId)) return openConversation(c.id, null, limit);
  }
  throw fail("not_found", "This message no longer exists.");
}

export async function deleteMessage(messageId: number, limit: number): Promise<ConversationView> {
  await delay(20);
  for (const c of conversations.values()) {
    const messages = messagesOf(c);
    const at = messages.findIndex((m) => m.id === messageId);
    if (at < 0) continue;
    // The demo keeps one branch: what is below a message is what follows it.
    messages.splice(at);
    c.message_count = messages.length;
    return openConversation(c.id, null, limit);
  }
  throw fail("not_found", "This message no longer exists.");
}

/** The demo has no other process writing to its history. */
export async function watchHistory(_onChange: () => void): Promise<void> {}

export async function stopStream(assistantMessageId: number): Promise<void> {
  await delay(10);
  stops.add(assistantMessageId);
}

export async function searchHistory(search: SearchQuery): Promise<SearchHit[]> {
  await delay(30);
  const limit = search.limit;
  const q = search.text.trim().toLowerCase();
  const hits: SearchHit[] = [];
  if ("img".startsWith(q) || q.startsWith("<")) {
    hits.push({
      conversation_id: 3,
      conversation_title: "<img src=x onerror=alert(1)> tricky title",
      message_id: 3001,
      role: "assistant",
      snippet: `…before \u0002<img src=x onerror=alert(1)>\u0003 after <script>alert(2)</script>…`,
      rank: -10,
      created_at: now0 - DAY,
    } as SearchHit);
  }
  for (const c of sorted()) {
    if (hits.length >= limit) break;
    const i = c.title.toLowerCase().indexOf(q);
    if (i < 0) continue;
    const t = c.title;
    hits.push({
      conversation_id: c.id,
      conversation_title: t,
      message_id: c.id * 1000,
      role: "user",
      snippet: `${t.slice(0, i)}\u0002${t.slice(i, i + q.length)}\u0003${t.slice(i + q.length)} — and some more text around the match…`,
      rank: -1,
      created_at: c.created_at,
    } as SearchHit);
  }
  return hits;
}

export async function renameConversation(id: number, title: string): Promise<void> {
  await delay(30);
  const c = conversations.get(id);
  if (!c) throw fail("not_found", "No such conversation.");
  c.title = title;
}

export async function setPinned(id: number, pinned: boolean): Promise<void> {
  await delay(30);
  const c = conversations.get(id);
  if (!c) throw fail("not_found", "No such conversation.");
  c.pinned = pinned;
}

export async function setArchived(id: number, archived: boolean): Promise<void> {
  await delay(30);
  const c = conversations.get(id);
  if (!c) throw fail("not_found", "No such conversation.");
  c.archived = archived;
}

export async function deleteConversation(id: number): Promise<void> {
  await delay(30);
  const c = conversations.get(id);
  if (c) c.deleted = true;
}

export async function restoreConversation(id: number): Promise<void> {
  await delay(30);
  const c = conversations.get(id);
  if (c) c.deleted = false;
}

export async function openLink(url: string): Promise<void> {
  console.info("open_link", url);
  window.alert?.(`Would open in the system browser:\n${url}`);
}

export async function exportConversation(id: number, format: ExportFormat): Promise<string> {
  await delay(30);
  if (!conversations.has(id)) throw fail("not_found", "No such conversation.");
  return `~/Downloads/conversation-${id}.${format === "markdown" ? "md" : "json"}`;
}

export async function exportHistory(): Promise<string> {
  await delay(30);
  return "~/Downloads/megallm-history.json";
}

export async function importHistory(json: string): Promise<number[]> {
  await delay(30);
  try {
    JSON.parse(json);
  } catch {
    throw fail("invalid_request", "That file is not a MegaLLM export.");
  }
  throw fail("invalid_request", "The demo cannot import files.");
}

// --- the gauge, trimming, presets, per-conversation settings ----------------------

const FAKE_WINDOW = 200_000;
const FAKE_MAX_TOKENS = 4_096;
const bytesOf = (text: string) => new TextEncoder().encode(text).length;
const tokensOf = (text: string) => Math.ceil(bytesOf(text) / 4);

export async function estimateSend(
  conversationId: number | null,
  text: string,
  model: string | null,
  attachmentIds: string[],
  systemPrompt: string | null,
): Promise<SendBudget> {
  await delay(80);
  const id = model ?? settings.default_model;
  const info = FAKE_MODELS.find((m) => m.id === id);
  const c = conversationId === null ? undefined : conversations.get(conversationId);
  const history = c ? messagesOf(c).reduce((n, m) => n + tokensOf(m.text) + 4, 0) : 0;
  const files = attachmentIds.reduce((n, d) => n + (draftStore.get(d)?.summary.tokens ?? 0), 0);
  const input_tokens = history + files + tokensOf(text) + tokensOf(systemPrompt ?? c?.system_prompt ?? "") + 4;
  const context_window = info?.context_window ?? FAKE_WINDOW;
  const ceiling = info?.max_output_tokens ?? FAKE_MAX_TOKENS;
  const max_tokens = Math.min(c?.sampling.max_tokens ?? settings.max_tokens ?? FAKE_MAX_TOKENS, ceiling);
  const budget: SendBudget = {
    input_tokens,
    // The demo "counts" for the priced models and estimates for the others.
    counted: info?.pricing !== undefined,
    context_window,
    max_tokens,
    fits: input_tokens + max_tokens <= context_window,
  };
  if (info?.pricing) {
    budget.input_cost_usd = (input_tokens * info.pricing.input_per_million) / 1e6;
    budget.max_output_cost_usd = (max_tokens * info.pricing.output_per_million) / 1e6;
  }
  return budget;
}

export async function setSendOriginal(draftId: string, on: boolean): Promise<AttachmentDraft> {
  await delay(30);
  const draft = draftStore.get(draftId);
  if (!draft) throw fail("not_found", "This file is no longer attached.");
  draft.summary = { ...draft.summary, send_original: on };
  return { draft_id: draftId, summary: draft.summary };
}

/** The demo's locked PDFs open with the password "secret". */
export async function unlockAttachment(draftId: string, password: string): Promise<AttachmentDraft> {
  await delay(60);
  const draft = draftStore.get(draftId);
  if (!draft) throw fail("not_found", "This file is no longer attached.");
  if (password !== "secret") {
    throw fail("invalid_input", `“${draft.summary.name}” is encrypted and the password given is wrong. Check the password and try again.`);
  }
  draft.summary = { ...draft.summary, needs_password: false, tokens: 120, pages: 1, notes: [] };
  return { draft_id: draftId, summary: draft.summary };
}

export async function trimAttachment(draftId: string, trim: Trim): Promise<AttachmentDraft> {
  await delay(60);
  const draft = draftStore.get(draftId);
  if (!draft) throw fail("not_found", "This file is no longer attached.");
  if (draft.preview.type !== "text") throw fail("invalid_input", `“${draft.summary.name}” has no text to cut.`);
  let text = draft.preview.text;
  let note: string;
  if (trim.type === "pages") {
    const pages = draft.summary.pages ?? 0;
    if (trim.first < 1 || trim.last < trim.first || trim.last > pages) {
      throw fail("invalid_input", `Choose pages from 1 to ${pages}, the first no later than the last.`);
    }
    const parts = text.split(/(?=\[Page \d+\])/);
    text = parts.slice(trim.first - 1, trim.last).join("");
    note = `Only pages ${trim.first}–${trim.last} of ${pages} are included.`;
  } else {
    if (trim.max < 1) throw fail("invalid_input", "Keep at least one token.");
    if (tokensOf(text) <= trim.max) return { draft_id: draftId, summary: draft.summary };
    text = text.slice(0, trim.max * 4);
    note = `Cut to about ${trim.max} tokens to fit the context window.`;
  }
  const summary: AttachmentSummary = {
    ...draft.summary,
    tokens: tokensOf(text),
    truncated: true,
    notes: [...draft.summary.notes, note],
  };
  draftStore.set(draftId, { summary, preview: { ...draft.preview, text } });
  return { draft_id: draftId, summary };
}

const BUILTIN_PRESETS: Preset[] = [
  {
    id: "document-analyst",
    name: "Document analyst",
    system_prompt: "You are a document analysis expert.",
    prompt: "Analyze this document: main topics, key insights, summary.",
    offer: "any_file",
    builtin: true,
  },
  {
    id: "code-reviewer",
    name: "Code reviewer",
    system_prompt: "You are an expert code reviewer.",
    prompt: "Review this code: bugs, performance, best practices, security.",
    offer: "code_file",
    builtin: true,
  },
];
let savedPresets: Preset[] = [];
let nextPreset = 1;

function presetList(): Preset[] {
  const edited = new Map(savedPresets.map((p) => [p.id, p]));
  const builtins = BUILTIN_PRESETS.map((b) => ({ ...(edited.get(b.id) ?? b), builtin: true }));
  const own = savedPresets.filter((p) => !BUILTIN_PRESETS.some((b) => b.id === p.id));
  return [...builtins, ...own].map((p) => ({ ...p }));
}

export async function listPresets(): Promise<Preset[]> {
  await delay(20);
  return presetList();
}

export async function savePreset(preset: Preset): Promise<Preset[]> {
  await delay(40);
  if (preset.name.trim() === "") throw fail("invalid_input", "A preset needs a name.");
  const id = preset.id || `user-${nextPreset++}`;
  savedPresets = [...savedPresets.filter((p) => p.id !== id), { ...preset, id, name: preset.name.trim() }];
  return presetList();
}

export async function deletePreset(id: string): Promise<Preset[]> {
  await delay(40);
  savedPresets = savedPresets.filter((p) => p.id !== id);
  return presetList();
}

const LIMITS: SamplingLimits = {
  temperature_min: 0,
  temperature_max: 1,
  top_p_min: 0,
  top_p_max: 1,
  top_k_min: 1,
  max_tokens_fallback: 64_000,
  max_stop_sequences: 16,
  max_stop_sequence_chars: 200,
  max_system_prompt_bytes: 200_000,
};

export async function samplingLimits(): Promise<SamplingLimits> {
  await delay(10);
  return { ...LIMITS };
}

export async function updateConversationSettings(id: number, next: ConversationSettings): Promise<Conversation> {
  await delay(60);
  const c = conversations.get(id);
  if (!c || c.deleted) throw fail("not_found", "This conversation no longer exists.");
  const s = next.sampling;
  const ceiling = FAKE_MODELS.find((m) => m.id === next.model)?.max_output_tokens ?? LIMITS.max_tokens_fallback;
  const bad = (m: string) => fail("invalid_input", m);
  if (s.temperature !== undefined && (s.temperature < LIMITS.temperature_min || s.temperature > LIMITS.temperature_max)) {
    throw bad(`Temperature must be between ${LIMITS.temperature_min} and ${LIMITS.temperature_max}.`);
  }
  if (s.top_p !== undefined && (s.top_p < LIMITS.top_p_min || s.top_p > LIMITS.top_p_max)) {
    throw bad(`Top P must be between ${LIMITS.top_p_min} and ${LIMITS.top_p_max}.`);
  }
  if (s.top_k !== undefined && s.top_k < LIMITS.top_k_min) throw bad(`Top K must be at least ${LIMITS.top_k_min}.`);
  if (s.max_tokens !== undefined && (s.max_tokens < 1 || s.max_tokens > ceiling)) {
    throw bad(`Max tokens must be from 1 to ${ceiling} for ${next.model}.`);
  }
  if ((s.stop_sequences?.length ?? 0) > LIMITS.max_stop_sequences) {
    throw bad(`At most ${LIMITS.max_stop_sequences} stop sequences.`);
  }
  if (bytesOf(next.system_prompt ?? "") > LIMITS.max_system_prompt_bytes) throw bad("The system prompt is too long.");
  c.model = next.model;
  c.sampling = { ...s };
  if (next.system_prompt?.trim()) c.system_prompt = next.system_prompt;
  else delete c.system_prompt;
  return conversationOf(c);
}
