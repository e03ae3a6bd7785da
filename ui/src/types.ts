// The UI's view of the Rust types. Every shape comes from `./bindings/`, which
// ts-rs generates from the Rust sources (never edit it); this file only gathers
// them so the rest of the UI has one place to import types from.

export type { AppError } from "./bindings/AppError";
export type { AppInfo } from "./bindings/AppInfo";
export type { AttachmentDraft } from "./bindings/AttachmentDraft";
export type { AttachmentPreview } from "./bindings/AttachmentPreview";
export type { AttachmentSummary } from "./bindings/AttachmentSummary";
export type { Conversation } from "./bindings/Conversation";
export type { ConversationPage } from "./bindings/ConversationPage";
export type { ConversationSummary } from "./bindings/ConversationSummary";
export type { ConversationView } from "./bindings/ConversationView";
export type { DocumentKind } from "./bindings/DocumentKind";
export type { ErrorCode } from "./bindings/ErrorCode";
export type { ExportFormat } from "./bindings/ExportFormat";
export type { KeyBackend } from "./bindings/KeyBackend";
export type { KeyStatus } from "./bindings/KeyStatus";
export type { MessageStatus } from "./bindings/MessageStatus";
export type { MessageView } from "./bindings/MessageView";
export type { ModelInfo } from "./bindings/ModelInfo";
export type { ModelCatalogue } from "./bindings/ModelCatalogue";
export type { CatalogueSource } from "./bindings/CatalogueSource";
export type { Limit } from "./bindings/Limit";
export type { RateLimits } from "./bindings/RateLimits";
export type { UsageRecord } from "./bindings/UsageRecord";
export type { RetryMode } from "./bindings/RetryMode";
export type { Role } from "./bindings/Role";
export type { SearchHit } from "./bindings/SearchHit";
export type { SearchQuery } from "./bindings/SearchQuery";
export type { Settings } from "./bindings/Settings";
export type { StreamUpdate } from "./bindings/StreamUpdate";
export type { Language } from "./bindings/Language";
export type { Theme } from "./bindings/Theme";
export type { Usage } from "./bindings/Usage";
export type { TurnResult } from "./bindings/TurnResult";
export type { HistoryNotice } from "./bindings/HistoryNotice";
export type { ConversationSettings } from "./bindings/ConversationSettings";
export type { Preset } from "./bindings/Preset";
export type { PresetOffer } from "./bindings/PresetOffer";
export type { SamplingLimits } from "./bindings/SamplingLimits";
export type { SamplingSettings } from "./bindings/SamplingSettings";
export type { SendBudget } from "./bindings/SendBudget";
export type { Trim } from "./bindings/Trim";

import type { ConversationPage } from "./bindings/ConversationPage";
import type { StreamUpdate } from "./bindings/StreamUpdate";

/** The list's paging cursor: opaque, handed back to the backend as it came. */
export type ListCursor = NonNullable<ConversationPage["next_cursor"]>;

/** One variant of {@link StreamUpdate}, by its `kind`. */
export type StreamUpdateOf<K extends StreamUpdate["kind"]> = Extract<StreamUpdate, { kind: K }>;
