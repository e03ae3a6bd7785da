// The sidebar: "New chat" (#new-chat), history search (views/history-search.ts)
// and the conversation list (views/conversation-list.ts), current or
// archived (#archived-toggle). The two views keep their own state; this
// module wires them together and gives main.ts one surface.

import { t } from "../lib/i18n";
import type { TurnPhase } from "../lib/turns";
import type { AppError, ConversationSummary, ModelInfo } from "../types";
import type { Toast } from "./banner";
import { ConversationList } from "./conversation-list";
import { HistorySearch } from "./history-search";

export interface SidebarOptions {
  newChat: HTMLButtonElement;
  searchInput: HTMLInputElement;
  searchResults: HTMLElement;
  /** Shown while searching: period, pinned only, archived included. */
  searchFilters: HTMLElement;
  searchPeriod: HTMLSelectElement;
  searchModel: HTMLSelectElement;
  searchPinned: HTMLInputElement;
  searchArchived: HTMLInputElement;
  /** The scroll container around the list. */
  listScroll: HTMLElement;
  /** Switches the list between current and archived conversations. */
  archivedToggle: HTMLButtonElement;
  list: HTMLElement;
  toast: Toast;
  onNewChat(): void;
  /** Open a conversation (at `messageId`, from a search hit). */
  onOpen(id: number, messageId?: number): void;
  onRenamed(id: number, title: string): void;
  onDeleted(id: number): void;
  onRestored(id: number): void;
  onError(error: AppError): void;
}

export class Sidebar {
  private readonly list: ConversationList;
  private readonly search: HistorySearch;

  constructor(private readonly o: SidebarOptions) {
    this.list = new ConversationList({
      scroll: o.listScroll,
      list: o.list,
      toast: o.toast,
      onOpen: (id) => o.onOpen(id),
      onRenamed: (id, title) => o.onRenamed(id, title),
      onDeleted: (id) => o.onDeleted(id),
      onRestored: (id) => o.onRestored(id),
      onError: (e) => o.onError(e),
    });
    this.search = new HistorySearch({
      input: o.searchInput,
      results: o.searchResults,
      filters: o.searchFilters,
      period: o.searchPeriod,
      model: o.searchModel,
      pinned: o.searchPinned,
      archived: o.searchArchived,
      onShowing: (showing) => {
        o.listScroll.hidden = showing;
        // Rows are rendered for the viewport; a hidden list had none.
        if (!showing) this.list.render();
      },
      onOpen: (conversationId, messageId) => o.onOpen(conversationId, messageId),
    });
    o.newChat.addEventListener("click", () => o.onNewChat());
    o.archivedToggle.addEventListener("click", () => void this.showArchived(!this.list.archived));
  }

  /** Shows the archived conversations, or the current ones again. */
  async showArchived(archived: boolean): Promise<void> {
    this.list.archived = archived;
    this.o.archivedToggle.setAttribute("aria-pressed", String(archived));
    this.o.list.dataset.archived = String(archived);
    this.labelList();
    await this.reload();
  }

  private labelList(): void {
    this.o.list.setAttribute("aria-label", this.list.archived ? t("Archived conversations") : t("Conversations"));
  }

  /** After a language switch: the list's rows and the search's words again. */
  relabel(): void {
    this.labelList();
    this.list.relabel();
    this.search.relabel();
  }

  /** Loads the list's first page (again). */
  reload(): Promise<void> {
    return this.list.reload();
  }

  /** Re-reads the list's first page (titles and order may have changed). */
  refreshHead(): Promise<void> {
    return this.list.refreshHead();
  }

  /** Marks the row of the open conversation. */
  setActive(id: number | null): void {
    this.list.setActive(id);
  }

  /**
   * A message was just sent in conversation `id`: it moves up as the backend
   * will order it. A conversation not in the list yet (a new chat) is added
   * with a provisional title until `refreshHead` brings the real one.
   */
  noteActivity(id: number, provisional: { title: string; model: string }): void {
    const known = this.list.get(id);
    // A new chat belongs to the current list, not the archive being browsed.
    if (!known && this.list.archived) return;
    const now = Date.now();
    const s: ConversationSummary = known
      ? { ...known, updated_at: now }
      : {
          id,
          title: provisional.title,
          model: provisional.model,
          pinned: false,
          archived: false,
          created_at: now,
          updated_at: now,
          message_count: 0,
        };
    this.list.put(s);
  }

  /** Marks a conversation whose reply is on its way, queued or streaming (null: none). */
  setTurnPhase(id: number, phase: TurnPhase | null): void {
    this.list.setTurnPhase(id, phase);
  }

  /** The backend's title for a conversation whose row is loaded. */
  setTitle(id: number, title: string): void {
    this.list.applyTitle(id, title, false);
  }

  focusSearch(): void {
    this.search.focus();
  }

  /** Offers the service's models in the search's model filter. */
  setSearchModels(models: readonly ModelInfo[]): void {
    this.search.setModels(models);
  }
}
