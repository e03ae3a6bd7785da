// Wires the views together and holds the app state: which conversation is open
// and which replies are streaming (several conversations at once, lib/turns). Also: keyboard shortcuts, the settings
// panel's effects (theme, API key, models), and the document-wide link guard
// (the webview never navigates).

import * as backend from "./backend";
import { byId } from "./dom";
import type { SendTicket } from "./lib/attachments";
import { BudgetWatch } from "./lib/budget";
import { modelWindowText } from "./lib/sampling";
import { toAppError } from "./lib/errors";
import { onLocaleChange, resolveLocale, setLocale, t, type Locale } from "./lib/i18n";
import { classifyLink } from "./lib/links";
import { catalogueNotice } from "./lib/models";
import { presetDisplayName, presetQuestion } from "./lib/presets";
import { TurnRegistry, type TurnPhase } from "./lib/turns";
import { provisionalTitle } from "./lib/util";
import type {
  AppError,
  AppInfo,
  Conversation,
  HistoryNotice,
  ModelCatalogue,
  ModelInfo,
  Preset,
  RetryMode,
  Settings,
  SamplingLimits,
  StreamUpdate,
  Trim,
  TurnResult,
} from "./types";
import { Analyses } from "./views/analyses";
import { Attachments } from "./views/attachments";
import { Banner, Toast } from "./views/banner";
import { Composer } from "./views/composer";
import { Gauge } from "./views/gauge";
import { HistoryFiles } from "./views/history-files";
import { PagesDialog } from "./views/pages-dialog";
import { ConversationPane } from "./views/conversation";
import { PreviewDialog } from "./views/preview";
import { PresetsEditor } from "./views/presets-editor";
import { SamplingPanel } from "./views/sampling";
import { UsageDialog } from "./views/usage";
import { SettingsPanel, applyRememberedTheme, applyTheme } from "./views/settings";
import { SystemPromptView } from "./views/system-prompt";
import { Sidebar } from "./views/sidebar";
import { installPageTranslations } from "./views/page";

// Before anything renders: the theme and the language shown last time
// (get_settings and app_info confirm them), and the page's own words.
applyRememberedTheme();
const LANGUAGE_STORAGE_KEY = "megallm.language";
showLocale(rememberedLocale());
installPageTranslations();

function showLocale(locale: Locale): void {
  document.documentElement.lang = locale;
  setLocale(locale);
}

function rememberedLocale(): Locale {
  try {
    return localStorage.getItem(LANGUAGE_STORAGE_KEY) === "ru" ? "ru" : "en";
  } catch {
    return "en";
  }
}

/** Shows the window in the language the setting and the system's languages pick. */
function applyLanguage(setting: Settings["language"], systemLanguages: readonly string[]): void {
  const chosen = resolveLocale(setting, systemLanguages);
  try {
    localStorage.setItem(LANGUAGE_STORAGE_KEY, chosen);
  } catch {
    // a webview without storage shows English first next time, then switches
  }
  showLocale(chosen);
}

/** One send: from the click to the end of the reply. */
interface Sending {
  text: string;
  model: string | null;
  /** The system prompt this message sets (a one-click analysis), or null. */
  systemPrompt: string | null;
  /** The pane's generation when sent: stream output goes there only if it still shows it. */
  paneGeneration: number;
  /** Where it was sent: null for a new chat. */
  target: number | null;
  conversationId: number | null;
  assistantId: number | null;
  phase: TurnPhase;
  started: boolean;
  ended: boolean;
  errorShown: boolean;
  stopRequested: boolean;
  /** The attachments this message takes, until the send settles (null for a retry). */
  attachments: SendTicket | null;
  markEnded(): void;
  endedPromise: Promise<void>;
}

const state: {
  info: AppInfo | null;
  /** The last model list loaded (empty until it comes, or while it fails). */
  models: ModelInfo[];
  /** The conversation the user is looking at (null: a new chat). */
  conversationId: number | null;
  /** Its settings (model, system prompt, sampling) as last loaded or saved. */
  conversation: Conversation | null;
  /** The presets library (list_presets), for the one-click analyses and the system prompt dialog. */
  presets: Preset[];
} = { info: null, models: [], conversationId: null, conversation: null, presets: [] };

/** Every reply in progress; the sidebar marks their conversations. */
const turns = new TurnRegistry<Sending>((id, phase) => sidebar.setTurnPhase(id, phase));

/** The turn of the view on screen (its composer is busy while there is one). */
function currentTurn(): Sending | undefined {
  return turns.forView(state.conversationId, pane.generation);
}

/** The composer and the analyses follow the view on screen: free unless its own reply is running. */
function refreshBusy(): void {
  const busy = currentTurn() !== undefined;
  composer.setBusy(busy);
  analyses.setBusy(busy);
}

const banner = new Banner(byId("banner"), { onOpenSettings: () => openSettings("api-key") });
const toast = new Toast(byId("toast"));
const showError = (error: AppError) => banner.showError(toAppError(error));

const pane = new ConversationPane({
  messages: byId("messages"),
  title: byId("conversation-title"),
  onStop: (assistantId) => void stop(turns.byAssistant(assistantId)),
  onRetry: (messageId, mode) => void retry(messageId, mode),
  onEdit: (messageId, text) => void edit(messageId, text),
  onOpenSettings: () => openSettings(),
  onShowContext: () => showContext(),
  onVersionShown: (conversation) => {
    setConversation(conversation);
    budgetChanged();
  },
  // Export applies to the conversation on screen.
  onShown: () => historyFiles.sync(),
  onPreviewAttachment: (id, name) => void preview.open(name, () => backend.previewAttachment(id)),
  onError: showError,
});

const composer = new Composer({
  form: byId<HTMLFormElement>("composer"),
  input: byId<HTMLTextAreaElement>("composer-input"),
  send: byId<HTMLButtonElement>("send-button"),
  stop: byId<HTMLButtonElement>("stop-button"),
  modelSelect: byId<HTMLSelectElement>("model-select"),
  systemNote: byId("composer-system"),
  onSend: (text, model, systemPrompt) => void send(text, model, systemPrompt),
  onStop: () => void stop(currentTurn()),
  onInput: () => budgetChanged(true),
  onModelChange: () => void modelPicked(),
  onSystemPromptChange: () => {
    showSystemPrompt();
    budgetChanged(); // the prompt weighs in the budget
  },
  onEditLast: () => pane.editLast(),
});

const preview = new PreviewDialog({
  dialog: byId<HTMLDialogElement>("preview"),
  title: byId("preview-title"),
  meta: byId("preview-meta"),
  body: byId("preview-body"),
  close: byId<HTMLButtonElement>("preview-close"),
});

const attachments = new Attachments({
  list: byId("attachment-list"),
  attachButton: byId<HTMLButtonElement>("attach-button"),
  fileInput: byId<HTMLInputElement>("attach-file"),
  dropOverlay: byId("drop-overlay"),
  pasteTarget: byId("composer-input"),
  canAttach: () => !anyModalOpen(),
  onPreview: (draftId, name) => void preview.open(name, () => backend.previewDraft(draftId)),
  onChange: () => {
    const drafts = attachments.drafts;
    composer.setAttachments(attachments.pending, drafts.length);
    analyses.setDrafts(drafts);
    budgetChanged();
  },
});

const analyses = new Analyses({
  group: byId("analyses"),
  onChoose: (preset) => {
    composer.setSystemPrompt({ name: presetDisplayName(preset), text: preset.system_prompt });
    composer.setText(presetQuestion(preset));
  },
});

const pagesDialog = new PagesDialog({
  dialog: byId<HTMLDialogElement>("pages-dialog"),
  form: byId<HTMLFormElement>("pages-form"),
  title: byId("pages-title"),
  hint: byId("pages-hint"),
  first: byId<HTMLInputElement>("pages-first"),
  last: byId<HTMLInputElement>("pages-last"),
  error: byId("pages-error"),
  cancel: byId<HTMLButtonElement>("pages-cancel"),
  keep: byId<HTMLButtonElement>("pages-keep"),
  trim: (draftId, trim) => trimDraft(draftId, trim),
});

const gauge = new Gauge({
  meter: byId("context-gauge"),
  alert: byId("budget-alert"),
  drafts: () => attachments.drafts,
  trim: (draftId, trim) => trimDraft(draftId, trim),
  onPickPages: (draft) => pagesDialog.open(draft),
  onFits: (reason) => composer.setBlocked(reason),
  onError: showError,
});

let limits: Promise<SamplingLimits | null> | null = null;
/** The backend's sampling and system prompt limits, asked once. */
function samplingLimits(): Promise<SamplingLimits | null> {
  limits ??= backend.samplingLimits().catch((err) => {
    console.warn("sampling_limits failed", err);
    limits = null;
    return null;
  });
  return limits;
}

const systemPrompt = new SystemPromptView({
  summary: byId("system-prompt-summary"),
  button: byId<HTMLButtonElement>("system-prompt-button"),
  dialog: byId<HTMLDialogElement>("system-dialog"),
  form: byId<HTMLFormElement>("system-form"),
  hint: byId("system-hint"),
  preset: byId<HTMLSelectElement>("system-preset"),
  text: byId<HTMLTextAreaElement>("system-text"),
  saveAsRow: byId("system-save-as"),
  saveAsButton: byId<HTMLButtonElement>("system-save-as-button"),
  presetName: byId<HTMLInputElement>("system-preset-name"),
  presetAdd: byId<HTMLButtonElement>("system-preset-add"),
  error: byId("system-error"),
  cancel: byId<HTMLButtonElement>("system-cancel"),
  save: byId<HTMLButtonElement>("system-save"),
  target: () => ({ conversation: state.conversation, pending: composer.systemPrompt }),
  presets: () => state.presets,
  limits: samplingLimits,
  onSaved: (conversation) => {
    if (state.conversationId === conversation.id) setConversation(conversation);
    budgetStale(); // the system prompt weighs in the budget
  },
  onChosenForNew: (choice) => composer.setSystemPrompt(choice),
  onPresetsChanged: (presets) => setPresets(presets),
});

const sampling = new SamplingPanel({
  button: byId<HTMLButtonElement>("sampling-button"),
  dialog: byId<HTMLDialogElement>("sampling-dialog"),
  form: byId<HTMLFormElement>("sampling-form"),
  temperature: byId<HTMLInputElement>("sampling-temperature"),
  topP: byId<HTMLInputElement>("sampling-top-p"),
  topK: byId<HTMLInputElement>("sampling-top-k"),
  maxTokens: byId<HTMLInputElement>("sampling-max-tokens"),
  stopSequences: byId<HTMLTextAreaElement>("sampling-stop-sequences"),
  hints: {
    temperature: byId("sampling-temperature-hint"),
    "top-p": byId("sampling-top-p-hint"),
    "top-k": byId("sampling-top-k-hint"),
    "max-tokens": byId("sampling-max-tokens-hint"),
    "stop-sequences": byId("sampling-stop-sequences-hint"),
  },
  error: byId("sampling-error"),
  reset: byId<HTMLButtonElement>("sampling-reset"),
  cancel: byId<HTMLButtonElement>("sampling-cancel"),
  save: byId<HTMLButtonElement>("sampling-save"),
  conversation: () => state.conversation,
  model: (id) => state.models.find((m) => m.id === id),
  limits: samplingLimits,
  onSaved: (conversation) => {
    if (state.conversationId === conversation.id) setConversation(conversation);
    budgetStale(); // max_tokens weighs in the budget
  },
});

/** The open conversation's settings (null: a new chat): the header shows its system prompt. */
function setConversation(conversation: Conversation | null): void {
  state.conversation = conversation;
  showSystemPrompt();
  sampling.setConversation(conversation);
}

/** The model picker: in an open conversation the choice is saved as its model. */
async function modelPicked(): Promise<void> {
  showModelWindow();
  budgetChanged();
  const c = state.conversation;
  const model = composer.model;
  if (!c || !model || model === c.model) return;
  try {
    const saved = await backend.updateConversationSettings(c.id, {
      model,
      sampling: c.sampling,
      ...(c.system_prompt ? { system_prompt: c.system_prompt } : {}),
    });
    if (state.conversationId === saved.id) setConversation(saved);
  } catch (err) {
    // Refused (its max tokens beyond this model's ceiling, say): say why and keep the old model.
    showError(toAppError(err));
    if (state.conversation?.id === c.id) {
      composer.setModel(c.model);
      showModelWindow();
      budgetChanged();
    }
  }
}

/** The picker's title: the chosen model's context window and reply ceiling. */
function showModelWindow(): void {
  const text = modelWindowText(state.models.find((m) => m.id === composer.model));
  const select = byId<HTMLSelectElement>("model-select");
  if (text) select.title = text;
  else select.removeAttribute("title");
}

/** The header: the open conversation's prompt, or for a new chat the one chosen for its first message. */
function showSystemPrompt(): void {
  systemPrompt.showSummary(state.conversation ? state.conversation.system_prompt : composer.systemPrompt?.text);
}

/** Reloads the open conversation's settings (a message may have set its system prompt). */
async function refreshConversation(id: number): Promise<void> {
  try {
    const view = await backend.openConversation(id, null, 1);
    if (state.conversationId === id) setConversation(view.conversation);
  } catch (err) {
    console.warn("could not reload the conversation's settings", err);
  }
}

/** Typing waits for a pause before the context gauge asks again. */
const BUDGET_DEBOUNCE_MS = 400;

const budget = new BudgetWatch({
  estimate: (input) =>
    backend.estimateSend(input.conversationId, input.text, input.model, [...input.attachments], input.systemPrompt),
  onBudget: (b) => gauge.show(b),
  debounceMs: BUDGET_DEBOUNCE_MS,
});

/** The message, its files, the conversation or the model changed: the gauge asks again. */
function budgetChanged(typing = false): void {
  if (currentTurn()) return; // asked again once the reply is over
  budget.changed(
    {
      conversationId: state.conversationId,
      text: composer.text,
      model: composer.model,
      attachments: attachments.drafts.map((d) => d.draft_id),
      systemPrompt: composer.systemPrompt?.text ?? null,
    },
    typing,
  );
}

/** The same question now has another answer (a draft cut, the conversation changed): ask again. */
function budgetStale(): void {
  budget.invalidate();
  budgetChanged();
}

/** Cuts a draft (on the user's click only); the same draft ids now weigh less, so the gauge asks again. */
async function trimDraft(draftId: string, trim: Trim): Promise<void> {
  await attachments.trim(draftId, trim);
  budgetStale();
}

/** Something modal is open: the rest of the app is inert behind it. */
function anyModalOpen(): boolean {
  return document.querySelector("dialog[open]") !== null;
}

const sidebar = new Sidebar({
  newChat: byId<HTMLButtonElement>("new-chat"),
  searchInput: byId<HTMLInputElement>("search-input"),
  searchResults: byId("search-results"),
  searchFilters: byId("search-filters"),
  searchPeriod: byId<HTMLSelectElement>("search-period"),
  searchModel: byId<HTMLSelectElement>("search-model"),
  searchPinned: byId<HTMLInputElement>("search-pinned"),
  searchArchived: byId<HTMLInputElement>("search-archived"),
  listScroll: byId("conversation-scroll"),
  archivedToggle: byId<HTMLButtonElement>("archived-toggle"),
  list: byId("conversation-list"),
  toast,
  onNewChat: () => newChat(),
  onOpen: (id, messageId) => void openConversation(id, messageId),
  onRenamed: (id, title) => {
    if (pane.currentId === id) pane.setTitle(title);
  },
  onDeleted: (id) => {
    if (state.conversationId === id) newChat();
  },
  onRestored: () => {},
  onError: showError,
});

const settingsPanel = new SettingsPanel({
  dialog: byId<HTMLDialogElement>("settings"),
  form: byId<HTMLFormElement>("settings-form"),
  baseUrl: byId<HTMLInputElement>("settings-base-url"),
  apiKey: byId<HTMLInputElement>("settings-api-key"),
  removeKey: byId<HTMLButtonElement>("settings-remove-key"),
  keyStatus: byId("key-status"),
  model: byId<HTMLSelectElement>("settings-model"),
  modelHint: byId("settings-model-hint"),
  maxTokens: byId<HTMLInputElement>("settings-max-tokens"),
  temperature: byId<HTMLInputElement>("settings-temperature"),
  topP: byId<HTMLInputElement>("settings-top-p"),
  topK: byId<HTMLInputElement>("settings-top-k"),
  theme: byId<HTMLSelectElement>("settings-theme"),
  language: byId<HTMLSelectElement>("settings-language"),
  concurrency: byId<HTMLInputElement>("settings-concurrency"),
  save: byId<HTMLButtonElement>("settings-save"),
  cancel: byId<HTMLButtonElement>("settings-cancel"),
  error: byId("settings-error"),
  loadModels: () => loadModels(false),
  onSaved: (settings) => onSettingsSaved(settings),
  onKeyChanged: () => void refreshSetup(),
  onError: showError,
  onClosed: () => composer.focus(),
});

const usageDialog = new UsageDialog({
  dialog: byId<HTMLDialogElement>("usage-dialog"),
  period: byId<HTMLSelectElement>("usage-period"),
  total: byId("usage-total"),
  chart: byId("usage-chart"),
  table: byId<HTMLTableElement>("usage-table"),
  limits: byId("usage-limits"),
  error: byId("usage-error"),
  close: byId<HTMLButtonElement>("usage-close"),
  report: (days) => backend.usageReport(days),
  rateLimits: () => backend.rateLimits(),
});

const historyFiles = new HistoryFiles({
  exportActions: byId("export-actions"),
  exportMarkdown: byId<HTMLButtonElement>("export-markdown"),
  exportJson: byId<HTMLButtonElement>("export-json"),
  exportHistory: byId<HTMLButtonElement>("export-history"),
  importButton: byId<HTMLButtonElement>("import-history"),
  importFile: byId<HTMLInputElement>("import-file"),
  toast,
  currentId: () => pane.currentId,
  onImported: () => void sidebar.reload(),
  onError: showError,
});

// --- navigation ----------------------------------------------------------

function newChat(): void {
  closeSidebarIfOverlay();
  state.conversationId = null;
  setConversation(null);
  pane.showEmpty();
  sidebar.setActive(null);
  composer.resetModel();
  showModelWindow();
  refreshBusy();
  composer.focus();
  budgetChanged();
}

async function openConversation(id: number, messageId?: number): Promise<void> {
  closeSidebarIfOverlay();
  if (messageId === undefined && state.conversationId === id && pane.currentId === id) return;
  state.conversationId = id;
  sidebar.setActive(id);
  refreshBusy();
  const opened = await pane.open(id, messageId);
  if (state.conversationId !== id) return; // the user went elsewhere meanwhile
  if (opened) {
    setConversation(opened);
    composer.setModel(opened.model);
    showModelWindow();
    budgetChanged();
  } else if (pane.currentId !== id) {
    // It failed to open (reported in the banner): stay with what is shown.
    state.conversationId = pane.currentId;
    sidebar.setActive(pane.currentId);
    refreshBusy();
  }
}

// --- sending and streaming -----------------------------------------------

async function send(text: string, model: string | null, systemPrompt: string | null): Promise<void> {
  const ticket = currentTurn() ? null : attachments.beginSend();
  if (!ticket) {
    composer.restoreText(text);
    return;
  }
  pane.addPendingUserMessage(text, attachments.summaries(ticket));
  const draftIds = [...ticket.draftIds];
  await runTurn(text, model, ticket, systemPrompt, (s, onEvent) =>
    backend.sendMessage(s.target, text, draftIds, model, systemPrompt, onEvent),
  );
}

/** Regenerates or continues a reply of the open conversation. */
async function retry(messageId: number, mode: RetryMode): Promise<void> {
  const conversationId = state.conversationId;
  if (currentTurn() || conversationId === null) {
    pane.showRetryActions();
    return;
  }
  const model = composer.model;
  await runTurn("", model, null, null, (_s, onEvent) => backend.retryReply(conversationId, messageId, mode, model, onEvent));
}

/** An error card's "Show context": the gauge weighed again, and the composer to act in. */
function showContext(): void {
  budgetChanged();
  const meter = byId("context-gauge");
  meter.classList.add("flash");
  setTimeout(() => meter.classList.remove("flash"), 2000);
  composer.focus();
}

/** Sends an edited message as a new version of `messageId`. */
async function edit(messageId: number, text: string): Promise<void> {
  const conversationId = state.conversationId;
  if (currentTurn() || conversationId === null) {
    pane.releaseEditor();
    return;
  }
  const model = composer.model;
  await runTurn("", model, null, null, (_s, onEvent) =>
    backend.editMessage(conversationId, messageId, text, model, onEvent),
  );
  // Still there only if the new version was not stored: editable again, text kept.
  pane.releaseEditor();
}

/**
 * One turn from the click to the end of the reply: `start` calls the backend
 * with the update handler. `text` is the user's new message ("" for a retry),
 * given back to the composer if nothing was stored; `ticket` its attachments
 * (null for a retry), which leave the composer once the message is stored.
 */
async function runTurn(
  text: string,
  model: string | null,
  ticket: SendTicket | null,
  systemPrompt: string | null,
  start: (s: Sending, onEvent: (update: StreamUpdate) => void) => Promise<TurnResult>,
): Promise<void> {
  banner.clearError();
  let markEnded = () => {};
  const endedPromise = new Promise<void>((resolve) => (markEnded = resolve));
  const s: Sending = {
    text,
    model,
    systemPrompt,
    paneGeneration: pane.generation,
    target: state.conversationId,
    conversationId: state.conversationId,
    assistantId: null,
    phase: "sending",
    started: false,
    ended: false,
    errorShown: false,
    stopRequested: false,
    attachments: ticket,
    markEnded,
    endedPromise,
  };
  turns.add(s);
  refreshBusy();
  try {
    settle(s, await start(s, (update) => onStreamUpdate(s, update)));
  } catch (err) {
    const error = toAppError(err);
    if (!s.started && pane.generation === s.paneGeneration) {
      // Nothing was stored: take the message back out and give the text back.
      if (ticket) pane.removePendingUserMessage();
      else pane.showRetryActions();
    }
    if (!s.started && text !== "") composer.restoreText(text);
    if (!s.errorShown && error.code !== "cancelled") {
      banner.showError(error);
      s.errorShown = true;
    }
  }
  if (s.started && !s.ended && s.conversationId !== null && pane.currentId === s.conversationId) {
    // The command failed after the reply began and no final update came:
    // show what the backend stored.
    await pane.open(s.conversationId);
  }
  settleAttachments(s);
  finishSending(s);
}

/** Stored with the message, the attachments leave the composer; otherwise they stay for another try. */
function settleAttachments(s: Sending): void {
  if (!s.attachments) return;
  attachments.finishSend(s.attachments, s.started);
  s.attachments = null;
}

/**
 * The command's answer: the reply as stored and the conversation's title.
 * Channel messages can trail it; whichever says "ended" first wins and the
 * later ones are ignored.
 */
function settle(s: Sending, result: TurnResult): void {
  if (!s.ended) {
    onStreamUpdate(
      s,
      result.error
        ? { kind: "failed", error: result.error, message: result.message }
        : { kind: "finished", message: result.message },
    );
  }
  sidebar.setTitle(result.conversation_id, result.title);
  if (pane.currentId === result.conversation_id) pane.setTitle(result.title);
}

/**
 * The reply is over (or never started): the composer is usable again at once,
 * without waiting for the command itself to return, so a reply that shows as
 * complete can be answered right away.
 */
function finishSending(s: Sending): void {
  const shown = currentTurn() === s;
  turns.remove(s);
  if (!shown) return; // the composer on screen belongs to another conversation
  refreshBusy();
  // The conversation grew (or a message went to a new one): weigh the next one.
  budgetStale();
  if (document.activeElement === document.body || document.activeElement === null) composer.focus();
}

function onStreamUpdate(s: Sending, update: StreamUpdate): void {
  switch (update.kind) {
    case "started": {
      s.started = true;
      settleAttachments(s);
      // Stored with the message: the note about it leaves the composer.
      if (s.systemPrompt !== null && composer.systemPrompt?.text === s.systemPrompt) composer.setSystemPrompt(null);
      s.assistantId = update.assistant_message_id;
      turns.update(s, { conversationId: update.conversation_id, phase: "streaming" });
      const shown = pane.beginStream(
        s.paneGeneration,
        update.conversation_id,
        update.user_message,
        update.assistant_message_id,
        update.replaces,
      );
      const title = provisionalTitle(s.text || update.user_message.text);
      sidebar.noteActivity(update.conversation_id, { title, model: s.model ?? state.info?.default_model ?? "" });
      if (shown) {
        state.conversationId = update.conversation_id;
        sidebar.setActive(update.conversation_id);
        if (s.target === null) pane.setTitle(title);
        // A new conversation, or a message that set its system prompt: the header shows it as stored.
        if (s.target === null || s.systemPrompt !== null) void refreshConversation(update.conversation_id);
      }
      if (s.stopRequested) void stop(s);
      return;
    }
    case "queued":
      turns.update(s, { phase: "queued" });
      if (s.assistantId !== null) pane.setQueued(s.assistantId, update.limit);
      return;
    case "streaming":
      turns.update(s, { phase: "streaming" });
      if (s.assistantId !== null) pane.setQueued(s.assistantId, null);
      return;
    case "delta":
      if (s.assistantId !== null) pane.applyDelta(s.assistantId, update);
      return;
    case "finished":
      if (s.ended) return; // the command's answer came first
      s.ended = true;
      pane.finishMessage(update.message);
      s.markEnded();
      finishSending(s);
      return;
    case "failed":
      if (s.ended) return;
      s.ended = true;
      pane.finishMessage(update.message);
      if (update.error.code !== "cancelled") {
        // Shown on the reply itself, with what fixes it; the banner is for
        // failures that have no message to show them on.
        // The question is stored: the card's Retry (or Regenerate) asks it
        // again, so the composer stays free for the next message.
        if (pane.shows(update.message.id)) {
          pane.showErrorCard(update.message.id, update.error);
        } else {
          banner.showError(update.error);
          // Nothing came back and nothing shows it: the question, ready to resend.
          if (update.message.text.trim() === "" && s.text !== "") composer.restoreText(s.text);
        }
        s.errorShown = true;
      }
      s.markEnded();
      finishSending(s);
      return;
  }
}

async function stop(s: Sending | undefined): Promise<void> {
  if (!s || s.ended) return;
  if (s.assistantId === null) {
    s.stopRequested = true; // stopped as soon as the reply has an id
    return;
  }
  try {
    await backend.stopStream(s.assistantId);
  } catch (err) {
    showError(toAppError(err));
  }
}

// --- settings: theme, key, models ---------------------------------------------

function openSettings(focus: "first" | "api-key" = "first"): void {
  closeSidebarIfOverlay();
  if (!settingsPanel.isOpen) void presetsEditor.load(state.presets);
  void settingsPanel.open(focus);
}

let modelsLoad: Promise<ModelInfo[]> | null = null;
/** The built-in list's warning now on show, to take back once the service's list arrives. */
let catalogueWarning: string | null = null;

/** The built-in list says why it is shown; the service's list takes that back. */
function showCatalogueNotice(catalogue: ModelCatalogue): void {
  const notice = catalogueNotice(catalogue);
  if (catalogueWarning !== null && catalogueWarning !== notice) banner.clearNotice(catalogueWarning);
  catalogueWarning = notice;
  if (notice !== null) banner.offerNotice(notice);
}

/** The model list: loaded once and shared, again when `fresh` (the key or service changed). */
function loadModels(fresh: boolean): Promise<ModelInfo[]> {
  if (fresh || !modelsLoad) {
    const load = backend.listModels().then((catalogue) => {
      showCatalogueNotice(catalogue);
      return catalogue.models;
    });
    modelsLoad = load;
    load.then(
      (models) => {
        if (modelsLoad !== load) return;
        state.models = models;
        sidebar.setSearchModels(models);
      },
      () => {
        if (modelsLoad === load) modelsLoad = null; // asked again next time
      },
    );
  }
  return modelsLoad;
}

function showNoKey(): void {
  banner.showError(
    { code: "config", message: t("No MegaLLM API key is set, so messages cannot be sent yet.") },
    { hint: t("Open Settings to add your API key.") },
  );
}

/** Shows what app_info says about the setup: the composer's default model, the missing-key banner. */
function applyInfo(info: AppInfo): void {
  state.info = info;
  composer.setModels(state.models, info.default_model);
  if (state.conversationId === null && !currentTurn()) composer.resetModel();
  showSetupNotices(info);
}

/** The missing-key banner and the history's notice, as app_info tells them. */
function showSetupNotices(info: AppInfo): void {
  if (info.has_api_key) banner.clearErrorOf(["config", "auth"]);
  else showNoKey();
  if (info.history_notice) banner.showNotice(historyNoticeText(info.history_notice));
}

function historyNoticeText(notice: HistoryNotice): string {
  switch (notice.kind) {
    case "moved_aside":
      return t(
        "Your history file was damaged, so it was moved to {path} (nothing was deleted) and a new history was started.",
        { path: notice.moved_to },
      );
    case "read_only":
      return t(
        "This history was written by a newer MegaLLM Desktop, so it is open read-only: you can read and search it, but nothing new is saved. Install the latest version to keep chatting.",
      );
  }
}

function onSettingsSaved(settings: Settings): void {
  applyTheme(settings.theme);
  applyLanguage(settings.language, state.info?.system_languages ?? []);
  void refreshSetup();
}

/**
 * After a save or a key change: app_info and the model list may differ (a
 * key added or removed, another service address or default model).
 */
async function refreshSetup(): Promise<void> {
  let info: AppInfo;
  try {
    info = await backend.appInfo();
  } catch (err) {
    showError(toAppError(err));
    return;
  }
  applyInfo(info);
  try {
    const models = await loadModels(true);
    if (state.info !== info) return; // a later refresh got further
    composer.setModels(models, info.default_model);
    showModelWindow();
    if (settingsPanel.isOpen) settingsPanel.setModels(models);
  } catch (err) {
    // Only a rejected key rejects: a fallback list would hide it.
    state.models = [];
    showError(toAppError(err));
  }
  if (!settingsPanel.isOpen && (document.activeElement === document.body || document.activeElement === null)) {
    composer.focus();
  }
}

// --- presets ---------------------------------------------------------------------

function setPresets(presets: Preset[]): void {
  state.presets = presets;
  analyses.setPresets(presets);
  systemPrompt.presetsChanged();
}

const presetsEditor = new PresetsEditor({
  list: byId("preset-list"),
  add: byId<HTMLButtonElement>("preset-add"),
  editor: byId("preset-editor"),
  editorTitle: byId("preset-editor-title"),
  name: byId<HTMLInputElement>("preset-name"),
  systemPrompt: byId<HTMLTextAreaElement>("preset-system"),
  prompt: byId<HTMLTextAreaElement>("preset-prompt"),
  offer: byId<HTMLSelectElement>("preset-offer"),
  error: byId("preset-error"),
  save: byId<HTMLButtonElement>("preset-save"),
  cancel: byId<HTMLButtonElement>("preset-cancel"),
  onChanged: (presets) => setPresets(presets),
});

// --- links: the webview never navigates ------------------------------------

function onDocumentClick(event: MouseEvent): void {
  const target = event.target;
  if (!(target instanceof Element)) return;
  const link = target.closest("a, area");
  if (!link) return;
  event.preventDefault();
  const action = classifyLink(link.getAttribute("href"));
  if (action.kind === "external") {
    if (event.button !== 0) return;
    backend.openLink(action.url).catch((err) => showError(toAppError(err)));
  } else if (action.kind === "fragment") {
    const scope = link.closest(".message-body") ?? document;
    const dest = scope.querySelector(`[id="${CSS.escape(action.id)}"], [name="${CSS.escape(action.id)}"]`);
    dest?.scrollIntoView({ block: "center" });
  }
}
document.addEventListener("click", onDocumentClick, true);
document.addEventListener(
  "auxclick",
  (event) => {
    if (event.target instanceof Element && event.target.closest("a, area")) event.preventDefault();
  },
  true,
);
// Dropping a file or link on the window must not navigate it either: the
// attachments view takes dragover and drop on the document (files attach,
// anything else is refused).

// --- keyboard shortcuts ------------------------------------------------------

document.addEventListener("keydown", (event) => {
  const mod = event.ctrlKey || event.metaKey;
  const key = event.key.toLowerCase();
  if (mod && !event.altKey && !event.shiftKey && key === ",") {
    event.preventDefault();
    openSettings();
  } else if (anyModalOpen()) {
    // The rest of the app is inert behind a modal (each handles its own Escape).
    return;
  } else if (mod && !event.altKey && !event.shiftKey && key === "n") {
    event.preventDefault();
    newChat();
  } else if (mod && !event.altKey && event.shiftKey && key === "c") {
    event.preventDefault();
    void pane.copyLastReply().then((ok) => toast.show(ok ? t("Copied the last reply") : t("There is no reply to copy yet")));
  } else if (mod && !event.altKey && !event.shiftKey && key === "k") {
    event.preventDefault();
    if (document.body.classList.contains("narrow")) openSidebar();
    sidebar.focusSearch();
  } else if (event.key === "Escape" && !event.defaultPrevented) {
    const turn = currentTurn();
    if (turn) {
      event.preventDefault();
      void stop(turn);
    } else if (document.body.classList.contains("sidebar-open")) {
      closeSidebarIfOverlay();
    }
  }
});

// --- responsive sidebar --------------------------------------------------------

const narrow = window.matchMedia("(max-width: 760px)");
function onWidthChange(): void {
  document.body.classList.toggle("narrow", narrow.matches);
  if (!narrow.matches) document.body.classList.remove("sidebar-open");
}
narrow.addEventListener("change", onWidthChange);
onWidthChange();

function openSidebar(): void {
  document.body.classList.add("sidebar-open");
}
function closeSidebarIfOverlay(): void {
  document.body.classList.remove("sidebar-open");
}
byId("sidebar-toggle").addEventListener("click", () => document.body.classList.toggle("sidebar-open"));
byId("settings-button").addEventListener("click", () => openSettings());
byId("usage-button").addEventListener("click", () => void usageDialog.open());
byId("sidebar-backdrop").addEventListener("click", () => closeSidebarIfOverlay());

// --- start-up ----------------------------------------------------------------------

// --- languages ---------------------------------------------------------------------

/** After a switch, every view renders its own words again (the page's are views/page.ts's). */
onLocaleChange(() => {
  pane.relabel();
  sidebar.relabel();
  composer.relabel();
  analyses.render();
  attachments.relabel();
  gauge.relabel();
  systemPrompt.relabel();
  sampling.relabel();
  presetsEditor.relabel();
  banner.relabel();
  if (state.info) showSetupNotices(state.info);
  showModelWindow();
});

// --- start-up ----------------------------------------------------------------------

async function start(): Promise<void> {
  pane.showEmpty();
  const settings = backend.getSettings().then(
    (settings) => {
      applyTheme(settings.theme);
      return settings;
    },
    (err) => {
      console.warn("get_settings failed", err);
      return null;
    },
  );
  const info = backend.appInfo().then(
    (info) => {
      applyInfo(info);
      return info;
    },
    (err) => {
      showError(toAppError(err));
      return null;
    },
  );
  const list = sidebar.reload();
  // The model list may need the network: it fills the picker when it comes,
  // and start-up does not wait for it.
  void Promise.all([info, loadModels(false)]).then(
    ([info, models]) => {
      if (state.info === info || info === null) composer.setModels(models, info?.default_model ?? models[0]?.id ?? "");
      showModelWindow();
    },
    (err) => showError(toAppError(err)),
  );
  void backend.listPresets().then(setPresets, (err) => console.warn("list_presets failed", err));
  void Promise.all([settings, info]).then(([s, i]) => applyLanguage(s?.language ?? "system", i?.system_languages ?? []));
  await Promise.allSettled([info, list]);
  // Conversations the CLI adds meanwhile appear at the top of the list.
  void backend.watchHistory(() => void sidebar.refreshHead()).catch((err) => console.warn("watch_history failed", err));
  document.body.dataset.ready = "1";
  composer.focus();
}

void start();
