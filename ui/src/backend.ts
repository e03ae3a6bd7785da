// The one module that talks to Tauri. Every `@tauri-apps/*` import lives here;
// views call these typed functions only, so the UI can run in a plain browser
// against a fake backend with the same exports (see `dev/fake-backend.ts` and
// `npm run build:demo`).
//
// Every function rejects with an AppError (normalized by `toAppError`), never
// with a bare string or Error.

import { Channel, invoke, type InvokeArgs, type InvokeOptions } from "@tauri-apps/api/core";
import { toAppError } from "./lib/errors";
import type {
  AppInfo,
  AttachmentDraft,
  AttachmentPreview,
  Conversation,
  ConversationPage,
  ConversationSettings,
  ConversationView,
  ExportFormat,
  KeyStatus,
  ListCursor,
  ModelCatalogue,
  Preset,
  RateLimits,
  UsageRecord,
  RetryMode,
  SearchHit,
  SamplingLimits,
  SearchQuery,
  SendBudget,
  Settings,
  StreamUpdate,
  Trim,
  TurnResult,
} from "./types";

async function call<T>(command: string, args?: InvokeArgs, options?: InvokeOptions): Promise<T> {
  try {
    return await invoke<T>(command, args, options);
  } catch (err) {
    throw toAppError(err);
  }
}

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>("app_info");
}

/**
 * The model catalogue (cached for the run; `refresh` asks the service again).
 * `source: "builtin"` comes with a `warning` to show; rejects when the
 * service rejects the key.
 */
export function listModels(refresh = false): Promise<ModelCatalogue> {
  return call<ModelCatalogue>("list_models", { refresh });
}

/** The latest rate-limit headers the service sent, if any. */
/** Tokens and cost by UTC day and model over the last `days` days. */
export function usageReport(days: number): Promise<UsageRecord[]> {
  return call<UsageRecord[]>("usage_report", { days });
}

export function rateLimits(): Promise<RateLimits | null> {
  return call<RateLimits | null>("rate_limits");
}

export function getSettings(): Promise<Settings> {
  return call<Settings>("get_settings");
}

/** Stores the settings; resolves to them as normalized by the backend (rejects with `config` when invalid). */
export function saveSettings(settings: Settings): Promise<Settings> {
  return call<Settings>("save_settings", { settings });
}

/** Where the API key comes from (never the key itself). */
export function keyStatus(): Promise<KeyStatus> {
  return call<KeyStatus>("key_status");
}

/** Stores the API key (in the keychain when there is one). */
export function setApiKey(key: string): Promise<KeyStatus> {
  return call<KeyStatus>("set_api_key", { key });
}

export function deleteApiKey(): Promise<KeyStatus> {
  return call<KeyStatus>("delete_api_key");
}

export function listConversations(
  archived: boolean,
  cursor: ListCursor | null,
  limit: number,
): Promise<ConversationPage> {
  return call<ConversationPage>("list_conversations", { archived, cursor, limit });
}

/** A page of a conversation: the newest `limit` messages, or those before message `before`. */
export function openConversation(id: number, before: number | null, limit: number): Promise<ConversationView> {
  return call<ConversationView>("open_conversation", { id, before, limit });
}

/**
 * Sends `text` with the drafts `attachments` (ids from `extractAttachment`;
 * to a new conversation when `conversationId` is null) and streams the reply:
 * `onEvent` receives every update, in order. Resolves when the stream has
 * ended, with the reply as stored and the conversation's title. Text may be
 * empty when files are attached. `systemPrompt`, when given, is the
 * conversation's system prompt from this message on.
 */
export function sendMessage(
  conversationId: number | null,
  text: string,
  attachments: string[],
  model: string | null,
  systemPrompt: string | null,
  onEvent: (update: StreamUpdate) => void,
): Promise<TurnResult> {
  const channel = new Channel<StreamUpdate>(onEvent);
  return call<TurnResult>("send_message", {
    conversationId,
    text,
    attachments,
    model,
    systemPrompt: systemPrompt ?? undefined,
    onEvent: channel,
  });
}

/**
 * What sending `text` with the drafts `attachments` would take of the
 * model's context window, and cost (counted by the service where it can,
 * else estimated: `counted` is false then).
 */
export function estimateSend(
  conversationId: number | null,
  text: string,
  model: string | null,
  attachments: string[],
  systemPrompt: string | null,
): Promise<SendBudget> {
  return call<SendBudget>("estimate_send", { conversationId, text, model, attachments, systemPrompt });
}

/** Cuts a draft to pages or to about a number of tokens; resolves to the draft as it now is. */
/** Sends a PDF draft as itself (`on`) or as its text. */
export function setSendOriginal(draftId: string, on: boolean): Promise<AttachmentDraft> {
  return call<AttachmentDraft>("set_send_original", { draftId, on });
}

/** Reads a locked (encrypted) PDF draft with the password the user typed. */
export function unlockAttachment(draftId: string, password: string): Promise<AttachmentDraft> {
  return call<AttachmentDraft>("unlock_attachment", { draftId, password });
}

export function trimAttachment(draftId: string, trim: Trim): Promise<AttachmentDraft> {
  return call<AttachmentDraft>("trim_attachment", { draftId, trim });
}

/** Built-in presets first (as edited), then the user's. */
export function listPresets(): Promise<Preset[]> {
  return call<Preset[]>("list_presets");
}

/** Adds (an empty id) or replaces a preset; resolves to the whole list. */
export function savePreset(preset: Preset): Promise<Preset[]> {
  return call<Preset[]>("save_preset", { preset });
}

/** Deletes the user's preset, or resets a built-in; resolves to the whole list. */
export function deletePreset(id: string): Promise<Preset[]> {
  return call<Preset[]>("delete_preset", { id });
}

/** What the API accepts for sampling and system prompts. */
export function samplingLimits(): Promise<SamplingLimits> {
  return call<SamplingLimits>("sampling_limits");
}

/** Saves a conversation's model, system prompt and sampling (rejects `invalid_input` when out of range). */
export function updateConversationSettings(id: number, settings: ConversationSettings): Promise<Conversation> {
  return call<Conversation>("update_conversation_settings", { id, settings });
}

/**
 * Reads a file as the model will (its text, or the image resized) and keeps
 * it as a draft for the next message. The bytes go as the raw request body,
 * not as JSON; the name travels percent-encoded in a header. Rejects with
 * `invalid_input` or `too_large` and a message naming the file.
 */
export function extractAttachment(name: string, bytes: Uint8Array): Promise<AttachmentDraft> {
  return call<AttachmentDraft>("extract_attachment", bytes, {
    headers: { "x-file-name": encodeURIComponent(name) },
  });
}

/** Drops a draft that will not be sent (its chip was removed). */
export function discardAttachment(draftId: string): Promise<void> {
  return call<void>("discard_attachment", { draftId });
}

/** What the model will receive of a draft: its text, or the image. */
export function previewDraft(draftId: string): Promise<AttachmentPreview> {
  return call<AttachmentPreview>("preview_draft", { draftId });
}

/** What the model received of a stored message's attachment. */
export function previewAttachment(attachmentId: number): Promise<AttachmentPreview> {
  return call<AttachmentPreview>("preview_attachment", { attachmentId });
}

/** Regenerates or continues the reply `messageId`, streaming like `sendMessage`. */
export function retryReply(
  conversationId: number,
  messageId: number,
  mode: RetryMode,
  model: string | null,
  onEvent: (update: StreamUpdate) => void,
): Promise<TurnResult> {
  const channel = new Channel<StreamUpdate>(onEvent);
  return call<TurnResult>("retry_reply", { conversationId, messageId, mode, model, onEvent: channel });
}

/**
 * Sends `text` as a new version of the user's message `messageId` (its files
 * go with it), streaming the answer like `sendMessage`; the original stays
 * as another version.
 */
export function editMessage(
  conversationId: number,
  messageId: number,
  text: string,
  model: string | null,
  onEvent: (update: StreamUpdate) => void,
): Promise<TurnResult> {
  const channel = new Channel<StreamUpdate>(onEvent);
  return call<TurnResult>("edit_message", { conversationId, messageId, text, model, onEvent: channel });
}

/** Shows version `messageId` of a message: its branch becomes the active one; returns that branch's newest page. */
export function selectBranch(messageId: number, limit: number): Promise<ConversationView> {
  return call<ConversationView>("select_branch", { messageId, limit });
}

/** Deletes message `messageId` with the replies below it; returns the newest page of the branch left. */
export function deleteMessage(messageId: number, limit: number): Promise<ConversationView> {
  return call<ConversationView>("delete_message", { messageId, limit });
}

export function stopStream(assistantMessageId: number): Promise<void> {
  return call<void>("stop_stream", { assistantMessageId });
}

export function searchHistory(query: SearchQuery): Promise<SearchHit[]> {
  return call<SearchHit[]>("search_history", { query });
}

export function renameConversation(id: number, title: string): Promise<void> {
  return call<void>("rename_conversation", { id, title });
}

export function setPinned(id: number, pinned: boolean): Promise<void> {
  return call<void>("set_pinned", { id, pinned });
}

/** Archived conversations leave the main list but stay searchable. */
export function setArchived(id: number, archived: boolean): Promise<void> {
  return call<void>("set_archived", { id, archived });
}

export function deleteConversation(id: number): Promise<void> {
  return call<void>("delete_conversation", { id });
}

export function restoreConversation(id: number): Promise<void> {
  return call<void>("restore_conversation", { id });
}

/** Opens an http(s) or mailto URL with the system's handler. */
export function openLink(url: string): Promise<void> {
  return call<void>("open_link", { url });
}

/** Saves a conversation to the Downloads folder; resolves to the file's path. */
export function exportConversation(id: number, format: ExportFormat): Promise<string> {
  return call<string>("export_conversation", { id, format });
}

/** Saves every conversation as one JSON file in Downloads; resolves to its path. */
export function exportHistory(): Promise<string> {
  return call<string>("export_history");
}

/**
 * Calls `onChange` whenever another process (the `megallm` CLI) writes to
 * the history, so the list can show what it added.
 */
export function watchHistory(onChange: () => void): Promise<void> {
  const channel = new Channel<null>(() => onChange());
  return call<void>("watch_history", { onChange: channel });
}

/** Imports the text of an exported file (a conversation or a whole history); resolves to the new ids. */
export function importHistory(json: string): Promise<number[]> {
  return call<number[]>("import_history", { json });
}
