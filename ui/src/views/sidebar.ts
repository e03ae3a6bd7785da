// The sidebar: "New chat" (#new-chat), history search (#search-input, hits as
// .search-hit in #search-results) and the paged conversation list
// (#conversation-list, rows .conversation-row).
//
// The list holds only the pages loaded so far: the next page is fetched with
// the backend's opaque cursor when a sentinel below the last row comes near
// the viewport, so it stays fast with 100,000 conversations. Rows are ordered
// as the backend returns them (pinned first, then most recently updated);
// local changes (pin, a new message, undo) place a row by that same rule.

import * as backend from "../backend";
import { ICONS, el, iconButton } from "../dom";
import { snippetToHtml, snippetToText } from "../lib/html";
import { DEFAULT_FILTERS, buildSearchQuery, filtersActive, isSearchPeriod, type SearchFilters } from "../lib/search";
import { formatAbsolute, formatRelative } from "../lib/time";
import { Latest, debounce, type Debounced } from "../lib/util";
import { modelChoices } from "../lib/models";
import type { TurnPhase } from "../lib/turns";
import type { AppError, ConversationSummary, ListCursor, ModelInfo, SearchHit } from "../types";
import type { Toast } from "./banner";

const PAGE_SIZE = 50;
const SEARCH_LIMIT = 30;
const SEARCH_DEBOUNCE_MS = 120;

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

const TURN_LABELS: Record<TurnPhase, string> = { sending: "Sending…", queued: "Queued", streaming: "Replying…" };

function showTurnPhase(li: HTMLLIElement, phase: TurnPhase | null): void {
  const value = phase ?? "";
  if ((li.dataset.turn ?? "") === value) return;
  if (phase === null) delete li.dataset.turn;
  else li.dataset.turn = phase;
  const badge = li.querySelector(".row-turn");
  if (badge) badge.textContent = phase === null ? "" : TURN_LABELS[phase];
}

/** The list's order: pinned first, then newest update, then highest id. */
function comesBefore(a: ConversationSummary, b: ConversationSummary): boolean {
  if (a.pinned !== b.pinned) return a.pinned;
  if (a.updated_at !== b.updated_at) return a.updated_at > b.updated_at;
  return a.id > b.id;
}

export class Sidebar {
  private readonly rows = new Map<number, HTMLLIElement>();
  private readonly data = new Map<number, ConversationSummary>();
  private readonly sentinel: HTMLElement;
  private readonly observer: IntersectionObserver;
  private cursor: ListCursor | null = null;
  private exhausted = false;
  private loading = false;
  private gen = 0;
  private activeId: number | null = null;
  /** Conversations with a reply in progress (kept for rows not loaded yet). */
  private readonly turnPhases = new Map<number, TurnPhase>();
  /** The list shows archived conversations instead of current ones. */
  private showingArchived = false;

  private readonly searchLatest = new Latest();
  private readonly runSearchSoon: Debounced<[string]>;
  private hits: SearchHit[] = [];
  private selected = -1;
  private searchedQuery = "";

  constructor(private readonly o: SidebarOptions) {
    this.sentinel = el("div", { className: "sentinel", attrs: { "aria-hidden": "true" } });
    o.list.after(this.sentinel);
    this.observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) void this.loadMore();
      },
      { root: o.listScroll, rootMargin: "0px 0px 600px 0px" },
    );

    o.newChat.addEventListener("click", () => o.onNewChat());
    o.archivedToggle.addEventListener("click", () => void this.showArchived(!this.showingArchived));
    o.list.addEventListener("click", (e) => this.onListClick(e));
    o.list.addEventListener("dblclick", (e) => {
      const row = this.rowOf(e.target);
      if (row && e.target instanceof Element && e.target.closest(".row-open")) this.startRename(row.li, row.id);
    });
    o.list.addEventListener("keydown", (e) => this.onListKey(e));

    this.runSearchSoon = debounce((q: string) => void this.runSearch(q), SEARCH_DEBOUNCE_MS);
    o.searchInput.addEventListener("input", () => this.onSearchInput());
    o.searchInput.addEventListener("keydown", (e) => this.onSearchKey(e));
    o.searchResults.addEventListener("click", (e) => {
      const hit = e.target instanceof Element ? e.target.closest<HTMLElement>(".search-hit") : null;
      if (hit) this.openHit(Number(hit.dataset.index));
    });
    o.searchResults.hidden = true;
    o.searchFilters.hidden = true;
    const onFilters = () => {
      const q = o.searchInput.value.trim();
      o.searchFilters.dataset.active = String(filtersActive(this.filters()));
      if (q !== "") void this.runSearch(q);
    };
    for (const input of [o.searchPeriod, o.searchModel, o.searchPinned, o.searchArchived]) {
      input.addEventListener("change", onFilters);
    }

    // Relative dates go stale; refresh the loaded rows' labels once a minute.
    setInterval(() => this.refreshDates(), 60_000);
  }

  /** Shows the archived conversations, or the current ones again. */
  async showArchived(archived: boolean): Promise<void> {
    this.showingArchived = archived;
    this.o.archivedToggle.setAttribute("aria-pressed", String(archived));
    this.o.list.dataset.archived = String(archived);
    this.o.list.setAttribute("aria-label", archived ? "Archived conversations" : "Conversations");
    await this.reload();
  }

  /** Loads the first page (again). Resolves when it is shown or failed. */
  async reload(): Promise<void> {
    this.gen++;
    this.observer.unobserve(this.sentinel);
    this.rows.clear();
    this.data.clear();
    this.o.list.replaceChildren();
    this.cursor = null;
    this.exhausted = false;
    this.loading = false;
    await this.loadMore();
  }

  /**
   * Re-reads the first page and puts it at the top, keeping the pages below
   * (rows that moved up are not repeated). Used after a message was sent, since
   * the backend may have retitled or reordered conversations.
   */
  async refreshHead(): Promise<void> {
    const gen = this.gen;
    let page;
    try {
      page = await backend.listConversations(this.showingArchived, null, PAGE_SIZE);
    } catch {
      return; // the list stays as it is; nothing the user asked for failed
    }
    if (gen !== this.gen) return;
    const fragment = document.createDocumentFragment();
    for (const s of page.items) fragment.append(this.upsertRow(s));
    this.o.list.prepend(fragment);
    if (this.rows.size <= page.items.length && !page.next_cursor) {
      this.exhausted = true;
      this.cursor = null;
    }
  }

  /** Marks the row of the open conversation. */
  setActive(id: number | null): void {
    if (this.activeId !== null) this.rows.get(this.activeId)?.removeAttribute("aria-current");
    this.activeId = id;
    if (id !== null) this.rows.get(id)?.setAttribute("aria-current", "true");
  }

  /**
   * A message was just sent in conversation `id`: it moves up as the backend
   * will order it. A conversation not in the list yet (a new chat) is added
   * with a provisional title until `refreshHead` brings the real one.
   */
  noteActivity(id: number, provisional: { title: string; model: string }): void {
    const now = Date.now();
    const known = this.data.get(id);
    // A new chat belongs to the current list, not the archive being browsed.
    if (!known && this.showingArchived) return;
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
    this.placeRow(this.upsertRow(s), s);
    if (this.activeId === id) this.setActive(id);
  }

  /** Marks a conversation whose reply is on its way, queued or streaming (null: none). */
  setTurnPhase(id: number, phase: TurnPhase | null): void {
    if (phase === null) this.turnPhases.delete(id);
    else this.turnPhases.set(id, phase);
    const li = this.rows.get(id);
    if (li) showTurnPhase(li, phase);
  }

  /** The backend's title for a conversation whose row is shown. */
  setTitle(id: number, title: string): void {
    const known = this.data.get(id);
    if (known && known.title !== title) this.upsertRow({ ...known, title });
  }

  /** The title shown for a conversation, if its row is loaded. */
  titleOf(id: number): string | undefined {
    return this.data.get(id)?.title;
  }

  focusSearch(): void {
    this.o.searchInput.focus();
    this.o.searchInput.select();
  }

  // --- the list ----------------------------------------------------------

  private async loadMore(): Promise<void> {
    if (this.loading || this.exhausted) return;
    const gen = this.gen;
    this.loading = true;
    this.o.listScroll.setAttribute("aria-busy", "true");
    let page;
    try {
      page = await backend.listConversations(this.showingArchived, this.cursor, PAGE_SIZE);
    } catch (err) {
      if (gen === this.gen) this.o.onError(err as AppError);
      return;
    } finally {
      if (gen === this.gen) {
        this.loading = false;
        this.o.listScroll.removeAttribute("aria-busy");
      }
    }
    if (gen !== this.gen) return;
    const fragment = document.createDocumentFragment();
    for (const s of page.items) {
      if (this.rows.has(s.id)) continue; // moved up since (refreshHead, a new message)
      fragment.append(this.upsertRow(s));
    }
    this.o.list.append(fragment);
    this.cursor = page.next_cursor ?? null;
    this.exhausted = this.cursor === null || page.items.length === 0;
    this.o.list.dataset.loaded = "1";
    this.observer.unobserve(this.sentinel);
    // Observing again delivers a fresh entry: if the sentinel is still in view
    // (a short page), the next page loads right away.
    if (!this.exhausted) this.observer.observe(this.sentinel);
  }

  /** Returns the row for `s`, creating or updating it (not placing it). */
  private upsertRow(s: ConversationSummary): HTMLLIElement {
    this.data.set(s.id, s);
    let li = this.rows.get(s.id);
    if (!li) {
      li = this.renderRow(s);
      this.rows.set(s.id, li);
    }
    this.fillRow(li, s);
    return li;
  }

  private renderRow(s: ConversationSummary): HTMLLIElement {
    const li = el("li", { className: "conversation-row", dataset: { id: String(s.id) } });
    const open = el(
      "button",
      { className: "row-open", attrs: { type: "button" } },
      el("span", { className: "row-title" }),
      el("span", { className: "row-turn" }),
      el("time", { className: "row-date" }),
    );
    const rename = iconButton("rename", "Rename", "row-action");
    rename.dataset.action = "rename";
    const pin = iconButton("pin", "Pin", "row-action");
    pin.dataset.action = "pin";
    const archive = this.showingArchived
      ? iconButton("unarchive", "Unarchive", "row-action")
      : iconButton("archive", "Archive", "row-action");
    archive.dataset.action = "archive";
    const del = iconButton("delete", "Delete", "row-action danger");
    del.dataset.action = "delete";
    li.append(open, el("div", { className: "row-actions" }, rename, pin, archive, del));
    return li;
  }

  private fillRow(li: HTMLLIElement, s: ConversationSummary): void {
    li.dataset.pinned = String(s.pinned);
    if (!li.dataset.editing) {
      const title = li.querySelector(".row-title");
      if (title && title.textContent !== s.title) title.textContent = s.title;
      li.querySelector(".row-open")?.setAttribute("title", s.title);
    }
    const date = li.querySelector("time");
    if (date) {
      date.textContent = formatRelative(s.updated_at, Date.now());
      date.dateTime = new Date(s.updated_at).toISOString();
      date.title = formatAbsolute(s.updated_at);
    }
    const pin = li.querySelector<HTMLButtonElement>('[data-action="pin"]');
    if (pin && pin.dataset.state !== String(s.pinned)) {
      pin.dataset.state = String(s.pinned);
      pin.innerHTML = s.pinned ? ICONS.unpin : ICONS.pin; // constant markup
      const label = s.pinned ? "Unpin" : "Pin";
      pin.title = label;
      pin.setAttribute("aria-label", label);
    }
    if (s.id === this.activeId) li.setAttribute("aria-current", "true");
    showTurnPhase(li, this.turnPhases.get(s.id) ?? null);
  }

  /**
   * Moves (or inserts) a row to where the list's order puts it among the
   * loaded rows. A row that sorts after every loaded row while more pages
   * remain is left out: it will arrive with its page.
   */
  private placeRow(li: HTMLLIElement, s: ConversationSummary): void {
    for (const other of this.o.list.children) {
      if (other === li) continue;
      const o = this.data.get(Number((other as HTMLElement).dataset.id));
      if (o && comesBefore(s, o)) {
        if (other.previousElementSibling !== li) this.o.list.insertBefore(li, other);
        return;
      }
    }
    if (this.exhausted) this.o.list.append(li);
    else this.forgetRow(s.id);
  }

  private forgetRow(id: number): void {
    this.rows.get(id)?.remove();
    this.rows.delete(id);
    this.data.delete(id);
  }

  private refreshDates(): void {
    const now = Date.now();
    for (const [id, li] of this.rows) {
      const s = this.data.get(id);
      const date = li.querySelector("time");
      if (s && date) {
        const text = formatRelative(s.updated_at, now);
        if (date.textContent !== text) date.textContent = text;
      }
    }
  }

  private rowOf(target: EventTarget | null): { li: HTMLLIElement; id: number } | null {
    if (!(target instanceof Element)) return null;
    const li = target.closest<HTMLLIElement>(".conversation-row");
    if (!li) return null;
    const id = Number(li.dataset.id);
    return Number.isFinite(id) ? { li, id } : null;
  }

  private onListClick(event: MouseEvent): void {
    const row = this.rowOf(event.target);
    if (!row || !(event.target instanceof Element)) return;
    const action = event.target.closest<HTMLElement>("[data-action]")?.dataset.action;
    switch (action) {
      case "rename":
        this.startRename(row.li, row.id);
        return;
      case "pin":
        void this.togglePin(row.id);
        return;
      case "archive":
        void this.archiveRow(row.li, row.id);
        return;
      case "delete":
        void this.deleteRow(row.li, row.id);
        return;
    }
    // Anywhere else on the row (but not in the rename box) opens it.
    if (!event.target.closest(".row-rename")) this.o.onOpen(row.id);
  }

  private onListKey(event: KeyboardEvent): void {
    if (!(event.target instanceof Element) || !event.target.classList.contains("row-open")) return;
    const row = this.rowOf(event.target);
    if (!row) return;
    if (event.key === "F2") {
      event.preventDefault();
      this.startRename(row.li, row.id);
    } else if (event.key === "Delete") {
      event.preventDefault();
      void this.deleteRow(row.li, row.id);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = event.key === "ArrowDown" ? row.li.nextElementSibling : row.li.previousElementSibling;
      next?.querySelector<HTMLButtonElement>(".row-open")?.focus();
    }
  }

  private startRename(li: HTMLLIElement, id: number): void {
    const s = this.data.get(id);
    const open = li.querySelector<HTMLButtonElement>(".row-open");
    if (!s || !open || li.dataset.editing) return;
    li.dataset.editing = "1";
    const input = el("input", {
      className: "row-rename",
      attrs: { type: "text", "aria-label": "Conversation title", maxlength: "200", spellcheck: "false" },
    });
    input.value = s.title;
    open.hidden = true;
    li.insertBefore(input, open);
    let done = false;
    const finish = async (commit: boolean) => {
      if (done) return;
      done = true;
      const title = input.value.trim();
      delete li.dataset.editing;
      open.hidden = false;
      const hadFocus = document.activeElement === input;
      input.remove();
      if (hadFocus) open.focus();
      const current = this.data.get(id) ?? s;
      if (!commit || title === "" || title === current.title) return;
      const old = current.title;
      this.applyTitle(id, title);
      try {
        await backend.renameConversation(id, title);
      } catch (err) {
        this.applyTitle(id, old);
        this.o.onError(err as AppError);
      }
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        void finish(true);
      } else if (e.key === "Escape") {
        e.preventDefault(); // also keeps the global Escape (stop streaming) out of it
        void finish(false);
      }
    });
    input.addEventListener("blur", () => void finish(true));
    input.focus();
    input.select();
  }

  private applyTitle(id: number, title: string): void {
    const s = this.data.get(id);
    const li = this.rows.get(id);
    if (s && li) {
      s.title = title;
      this.fillRow(li, s);
    }
    this.o.onRenamed(id, title);
  }

  private async togglePin(id: number): Promise<void> {
    const s = this.data.get(id);
    if (!s) return;
    const pinned = !s.pinned;
    try {
      await backend.setPinned(id, pinned);
    } catch (err) {
      this.o.onError(err as AppError);
      return;
    }
    const li = this.rows.get(id);
    const now = this.data.get(id);
    if (!li || !now) return;
    const updated = { ...now, pinned };
    this.data.set(id, updated);
    this.fillRow(li, updated);
    this.placeRow(li, updated);
    li.querySelector<HTMLButtonElement>('[data-action="pin"]')?.focus();
  }

  /** Moves a row to the archive (or back out of it), with Undo. */
  private async archiveRow(li: HTMLLIElement, id: number): Promise<void> {
    const s = this.data.get(id);
    if (!s) return;
    const archived = !this.showingArchived;
    const gen = this.gen;
    this.forgetRow(id);
    const flip = async (to: boolean): Promise<boolean> => {
      try {
        await backend.setArchived(id, to);
        return true;
      } catch (err) {
        this.o.onError(err as AppError);
        return false;
      }
    };
    if (!(await flip(archived))) {
      if (gen === this.gen) this.reinsert(li, s);
      return;
    }
    const what = archived ? "Archived" : "Moved back from the archive:";
    this.o.toast.show(`${what} “${s.title}”`, {
      label: "Undo",
      run: () =>
        void flip(!archived).then((ok) => {
          if (ok && gen === this.gen) this.reinsert(li, s);
        }),
    });
  }

  private async deleteRow(li: HTMLLIElement, id: number): Promise<void> {
    const s = this.data.get(id);
    if (!s) return;
    const focusNext = (li.nextElementSibling ?? li.previousElementSibling)?.querySelector<HTMLButtonElement>(".row-open");
    const hadFocus = li.contains(document.activeElement);
    this.forgetRow(id);
    if (hadFocus) focusNext?.focus();
    try {
      await backend.deleteConversation(id);
    } catch (err) {
      this.reinsert(li, s);
      this.o.onError(err as AppError);
      return;
    }
    this.o.onDeleted(id);
    this.o.toast.show(`Deleted “${s.title}”`, { label: "Undo", run: () => void this.undoDelete(li, s) });
  }

  private async undoDelete(li: HTMLLIElement, s: ConversationSummary): Promise<void> {
    try {
      await backend.restoreConversation(s.id);
    } catch (err) {
      this.o.onError(err as AppError);
      return;
    }
    this.reinsert(li, s);
    this.o.onRestored(s.id);
  }

  private reinsert(li: HTMLLIElement, s: ConversationSummary): void {
    if (this.rows.has(s.id)) return;
    this.rows.set(s.id, li);
    this.data.set(s.id, s);
    this.fillRow(li, s);
    this.placeRow(li, s);
  }

  // --- search ------------------------------------------------------------

  private onSearchInput(): void {
    const q = this.o.searchInput.value.trim();
    if (q === "") {
      this.clearSearch(false);
      return;
    }
    this.runSearchSoon(q);
  }

  private onSearchKey(event: KeyboardEvent): void {
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp": {
        if (this.hits.length === 0) return;
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        this.select((this.selected + step + this.hits.length) % this.hits.length);
        return;
      }
      case "Enter": {
        event.preventDefault();
        const q = this.o.searchInput.value.trim();
        if (q === "") return;
        if (q !== this.searchedQuery) {
          // Typed faster than the debounce: search now, then open the first hit.
          this.runSearchSoon.cancel();
          void this.runSearch(q).then(() => this.openHit(0));
        } else {
          this.openHit(Math.max(0, this.selected));
        }
        return;
      }
      case "Escape":
        if (this.o.searchInput.value !== "" || !this.o.searchResults.hidden) {
          event.preventDefault();
          this.clearSearch(true);
        }
        return;
    }
  }

  /** Empties the search box and shows the conversation list again. */
  clearSearch(clearInput: boolean): void {
    this.runSearchSoon.cancel();
    this.searchLatest.next(); // late results of an older query are dropped
    if (clearInput) this.o.searchInput.value = "";
    this.hits = [];
    this.selected = -1;
    this.searchedQuery = "";
    this.o.searchResults.replaceChildren();
    this.o.searchResults.hidden = true;
    this.o.searchFilters.hidden = true;
    this.o.listScroll.hidden = false;
    this.o.searchInput.setAttribute("aria-expanded", "false");
    this.o.searchInput.removeAttribute("aria-activedescendant");
  }

  /** Offers the service's models in the search's model filter, keeping the choice. */
  setSearchModels(models: readonly ModelInfo[]): void {
    const select = this.o.searchModel;
    const chosen = select.value;
    const options = modelChoices(models, [chosen]).map((m) => el("option", { text: m.label, attrs: { value: m.id } }));
    select.replaceChildren(el("option", { text: "Any model", attrs: { value: "" } }), ...options);
    select.value = chosen;
  }

  private filters(): SearchFilters {
    const period = this.o.searchPeriod.value;
    return {
      period: isSearchPeriod(period) ? period : DEFAULT_FILTERS.period,
      model: this.o.searchModel.value || null,
      pinnedOnly: this.o.searchPinned.checked,
      includeArchived: this.o.searchArchived.checked,
    };
  }

  private async runSearch(query: string): Promise<void> {
    const token = this.searchLatest.next();
    let hits: SearchHit[];
    try {
      hits = await backend.searchHistory(buildSearchQuery(query, this.filters(), SEARCH_LIMIT, Date.now()));
    } catch (err) {
      if (!this.searchLatest.isCurrent(token)) return;
      this.showSearchMessage(`Search failed: ${(err as AppError).message}`);
      this.searchedQuery = query;
      return;
    }
    if (!this.searchLatest.isCurrent(token)) return;
    this.searchedQuery = query;
    this.hits = hits;
    this.selected = -1;
    if (hits.length === 0) {
      this.showSearchMessage("No matches.");
      return;
    }
    const now = Date.now();
    const fragment = document.createDocumentFragment();
    hits.forEach((hit, index) => {
      const li = el("li", {
        className: "search-hit",
        attrs: { id: `search-hit-${index}`, role: "option", "aria-selected": "false" },
        dataset: { index: String(index), conversationId: String(hit.conversation_id), messageId: String(hit.message_id) },
      });
      const head = el(
        "div",
        { className: "hit-head" },
        el("span", { className: "hit-title", text: hit.conversation_title }),
        el("time", { className: "hit-date", text: formatRelative(hit.created_at, now) }),
      );
      const snippet = el("div", { className: "hit-snippet" });
      snippet.append(el("span", { className: "hit-role", text: hit.role === "user" ? "You: " : "Claude: " }));
      const text = el("span");
      text.innerHTML = snippetToHtml(hit.snippet); // escaped; only <mark> is markup
      snippet.append(text);
      li.title = snippetToText(hit.snippet);
      li.append(head, snippet);
      fragment.append(li);
    });
    this.o.searchResults.replaceChildren(fragment);
    this.showResults();
  }

  private showSearchMessage(text: string): void {
    this.hits = [];
    this.selected = -1;
    this.o.searchResults.replaceChildren(el("li", { className: "search-empty", text }));
    this.showResults();
  }

  private showResults(): void {
    this.o.searchResults.hidden = false;
    this.o.searchFilters.hidden = false;
    this.o.listScroll.hidden = true;
    this.o.searchResults.scrollTop = 0;
    this.o.searchInput.setAttribute("aria-expanded", "true");
  }

  private select(index: number): void {
    const items = this.o.searchResults.querySelectorAll<HTMLElement>(".search-hit");
    items[this.selected]?.setAttribute("aria-selected", "false");
    this.selected = index;
    const item = items[index];
    if (item) {
      item.setAttribute("aria-selected", "true");
      item.scrollIntoView({ block: "nearest" });
      this.o.searchInput.setAttribute("aria-activedescendant", item.id);
    }
  }

  private openHit(index: number): void {
    const hit = this.hits[index];
    if (!hit) return;
    this.select(index);
    this.o.onOpen(hit.conversation_id, hit.message_id);
  }
}
