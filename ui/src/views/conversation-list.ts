// The conversation list (#conversation-list in #conversation-scroll): rows
// .conversation-row, pinned first, then most recently updated, as the backend
// orders them.
//
// Virtualized: every summary loaded so far is kept in `items`, but only the
// rows in view (plus a few either side) are in the DOM, each absolutely
// placed at its index in a list as tall as all of them. So the DOM stays at a
// few dozen rows with 100,000 conversations loaded. The next page is fetched
// with the backend's opaque cursor when the window comes near the last
// loaded row. A row being renamed or holding the focus stays rendered while
// scrolled away, so typing or the keyboard never loses its place.

import * as backend from "../backend";
import { ICONS, el, iconButton } from "../dom";
import { key, t } from "../lib/i18n";
import { formatAbsolute, formatRelative } from "../lib/time";
import type { TurnPhase } from "../lib/turns";
import { insertionIndex, scrollToShow, visibleRange } from "../lib/virtual";
import type { AppError, ConversationSummary, ListCursor } from "../types";
import type { Toast } from "./banner";

const PAGE_SIZE = 100;
/** Rows rendered beyond each edge of the viewport. */
const OVERSCAN = 8;
/** Until a row has been measured (the CSS sets the real height). */
const FALLBACK_ROW_HEIGHT = 48;

export interface ConversationListOptions {
  /** The scroll container around the list. */
  scroll: HTMLElement;
  list: HTMLElement;
  toast: Toast;
  /** Open a conversation. */
  onOpen(id: number): void;
  onRenamed(id: number, title: string): void;
  onDeleted(id: number): void;
  onRestored(id: number): void;
  onError(error: AppError): void;
}

const TURN_LABELS: Record<TurnPhase, string> = { sending: key("Sending…"), queued: key("Queued"), streaming: key("Replying…") };

/** The list's order: pinned first, then newest update, then highest id. */
export function comesBefore(a: ConversationSummary, b: ConversationSummary): boolean {
  if (a.pinned !== b.pinned) return a.pinned;
  if (a.updated_at !== b.updated_at) return a.updated_at > b.updated_at;
  return a.id > b.id;
}

export class ConversationList {
  /** Every summary loaded, in list order. */
  private items: ConversationSummary[] = [];
  private readonly byId = new Map<number, ConversationSummary>();
  /** The rows in the DOM now, by conversation id. */
  private readonly rendered = new Map<number, HTMLLIElement>();
  private rowHeight = 0;
  private cursor: ListCursor | null = null;
  private exhausted = false;
  private loading = false;
  private gen = 0;
  private frame = 0;
  private activeId: number | null = null;
  /** Conversations with a reply in progress (kept for rows not rendered). */
  private readonly turnPhases = new Map<number, TurnPhase>();
  /** The list shows archived conversations instead of current ones. */
  archived = false;

  constructor(private readonly o: ConversationListOptions) {
    o.list.setAttribute("aria-label", t("Conversations"));
    o.scroll.addEventListener("scroll", () => this.renderSoon(), { passive: true });
    new ResizeObserver(() => this.renderSoon()).observe(o.scroll);
    o.list.addEventListener("click", (e) => this.onClick(e));
    o.list.addEventListener("dblclick", (e) => {
      const row = this.rowOf(e.target);
      if (row && e.target instanceof Element && e.target.closest(".row-open")) this.startRename(row.li, row.id);
    });
    o.list.addEventListener("keydown", (e) => this.onKey(e));
    // Relative dates go stale; refresh the rendered rows' labels once a minute.
    setInterval(() => this.refreshDates(), 60_000);
  }

  /** Loads the first page (again). Resolves when it is shown or failed. */
  async reload(): Promise<void> {
    this.gen++;
    this.items = [];
    this.byId.clear();
    this.rendered.clear();
    this.o.list.replaceChildren();
    this.o.scroll.scrollTop = 0;
    this.cursor = null;
    this.exhausted = false;
    this.loading = false;
    this.render();
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
      page = await backend.listConversations(this.archived, null, PAGE_SIZE);
    } catch {
      return; // the list stays as it is; nothing the user asked for failed
    }
    if (gen !== this.gen) return;
    const head = new Set(page.items.map((s) => s.id));
    const rest = this.items.filter((s) => !head.has(s.id));
    for (const s of page.items) this.byId.set(s.id, s);
    this.items = [...page.items, ...rest];
    if (this.items.length <= page.items.length && !page.next_cursor) {
      this.exhausted = true;
      this.cursor = null;
    }
    this.render();
  }

  /** Marks the row of the open conversation. */
  setActive(id: number | null): void {
    if (this.activeId !== null) this.rendered.get(this.activeId)?.removeAttribute("aria-current");
    this.activeId = id;
    if (id !== null) this.rendered.get(id)?.setAttribute("aria-current", "true");
  }

  /** Marks a conversation whose reply is on its way, queued or streaming (null: none). */
  setTurnPhase(id: number, phase: TurnPhase | null): void {
    if (phase === null) this.turnPhases.delete(id);
    else this.turnPhases.set(id, phase);
    const li = this.rendered.get(id);
    if (li) showTurnPhase(li, phase);
  }

  get(id: number): ConversationSummary | undefined {
    return this.byId.get(id);
  }

  /**
   * Updates a loaded conversation's summary, or adds one, and moves it to
   * where the list's order puts it. A row that sorts after every loaded row
   * while more pages remain is left out: it will arrive with its page.
   */
  put(s: ConversationSummary): void {
    this.removeItem(s.id);
    const at = insertionIndex(this.items, s, comesBefore);
    if (at < this.items.length || this.exhausted) {
      this.items.splice(at, 0, s);
      this.byId.set(s.id, s);
    }
    this.render();
  }

  /** Rows loaded (for the tests' and the count's sake). */
  get loaded(): number {
    return this.items.length;
  }

  // --- rendering ---------------------------------------------------------

  private renderSoon(): void {
    if (this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** After a language switch: the rows drawn again (one being renamed stays as it is). */
  relabel(): void {
    for (const [id, li] of this.rendered) {
      if (li.dataset.editing) continue;
      li.remove();
      this.rendered.delete(id);
    }
    this.render();
  }

  /** Puts the rows in view into the DOM and takes the others out. */
  render(): void {
    const height = this.measure();
    const list = this.o.list;
    list.style.height = `${this.items.length * height}px`;
    // Where the list starts inside the scroll container (a heading above it, say).
    const offset = this.o.scroll.scrollTop - list.offsetTop;
    const viewport = this.o.scroll.hidden ? 0 : this.o.scroll.clientHeight;
    const { start, end } = visibleRange(offset, viewport, height, this.items.length, OVERSCAN);
    const keep = new Set<number>();
    for (let i = start; i < end; i++) keep.add((this.items[i] as ConversationSummary).id);
    for (const [id, li] of this.rendered) {
      // Kept while renamed or focused, wherever it is, so typing goes on.
      if (li.dataset.editing || li.contains(document.activeElement)) {
        if (this.byId.has(id)) keep.add(id);
      }
    }
    for (const [id, li] of this.rendered) {
      if (!keep.has(id)) {
        li.remove();
        this.rendered.delete(id);
      }
    }
    // In index order in the DOM too: the keyboard and screen readers follow it.
    let next: ChildNode | null = list.firstChild;
    const indices = [...keep].map((id) => this.indexOf(id)).filter((i) => i >= 0).sort((a, b) => a - b);
    for (const i of indices) {
      const s = this.items[i] as ConversationSummary;
      let li = this.rendered.get(s.id);
      if (!li) {
        li = this.renderRow(s);
        this.rendered.set(s.id, li);
      }
      this.fillRow(li, s, i);
      li.style.top = `${i * height}px`;
      if (li !== next) list.insertBefore(li, next);
      next = li.nextSibling;
    }
    list.dataset.rendered = String(this.rendered.size);
    list.dataset.total = String(this.items.length);
    if (!this.exhausted && end >= this.items.length - OVERSCAN) void this.loadMore();
  }

  private measure(): number {
    if (this.rowHeight > 0) return this.rowHeight;
    const first = this.rendered.values().next().value;
    const h = first?.getBoundingClientRect().height ?? 0;
    if (h > 0) this.rowHeight = h;
    return h > 0 ? h : FALLBACK_ROW_HEIGHT;
  }

  private indexOf(id: number): number {
    const s = this.byId.get(id);
    if (!s) return -1;
    // Ordered and unique by id: the binary search lands just past it.
    const i = insertionIndex(this.items, s, comesBefore) - 1;
    return this.items[i]?.id === id ? i : this.items.findIndex((x) => x.id === id);
  }

  private async loadMore(): Promise<void> {
    if (this.loading || this.exhausted) return;
    const gen = this.gen;
    this.loading = true;
    this.o.scroll.setAttribute("aria-busy", "true");
    let page;
    try {
      page = await backend.listConversations(this.archived, this.cursor, PAGE_SIZE);
    } catch (err) {
      if (gen === this.gen) this.o.onError(err as AppError);
      return;
    } finally {
      if (gen === this.gen) {
        this.loading = false;
        this.o.scroll.removeAttribute("aria-busy");
      }
    }
    if (gen !== this.gen) return;
    for (const s of page.items) {
      if (this.byId.has(s.id)) continue; // moved up since (refreshHead, a new message)
      this.items.push(s);
      this.byId.set(s.id, s);
    }
    this.cursor = page.next_cursor ?? null;
    this.exhausted = this.cursor === null || page.items.length === 0;
    this.o.list.dataset.loaded = "1";
    // A short page may leave the window near the end: render asks for more.
    this.render();
  }

  private renderRow(s: ConversationSummary): HTMLLIElement {
    const li = el("li", { className: "conversation-row", dataset: { id: String(s.id) } });
    const open = el(
      "button",
      { className: "row-open", attrs: { type: "button" } },
      el("span", { className: "row-title" }),
      el("span", { className: "row-meta" }, el("time", { className: "row-date" }), el("span", { className: "row-turn" })),
    );
    const rename = iconButton("rename", t("Rename"), "row-action");
    rename.dataset.action = "rename";
    const pin = iconButton("pin", t("Pin"), "row-action");
    pin.dataset.action = "pin";
    const archive = this.archived
      ? iconButton("unarchive", t("Unarchive"), "row-action")
      : iconButton("archive", t("Archive"), "row-action");
    archive.dataset.action = "archive";
    const del = iconButton("delete", t("Delete"), "row-action danger");
    del.dataset.action = "delete";
    li.append(open, el("div", { className: "row-actions" }, rename, pin, archive, del));
    return li;
  }

  private fillRow(li: HTMLLIElement, s: ConversationSummary, index: number): void {
    li.dataset.pinned = String(s.pinned);
    // The line between pinned and the rest, drawn inside the row: rows keep one height.
    const afterPinned = s.pinned === false && index > 0 && this.items[index - 1]?.pinned === true;
    if (afterPinned) li.dataset.afterPinned = "true";
    else delete li.dataset.afterPinned;
    li.setAttribute("aria-posinset", String(index + 1));
    li.setAttribute("aria-setsize", this.exhausted ? String(this.items.length) : "-1");
    if (!li.dataset.editing) {
      const title = li.querySelector(".row-title");
      if (title && title.textContent !== s.title) title.textContent = s.title;
      li.querySelector(".row-open")?.setAttribute("title", s.title);
    }
    const date = li.querySelector("time");
    if (date) {
      const text = formatRelative(s.updated_at, Date.now());
      if (date.textContent !== text) date.textContent = text;
      date.dateTime = new Date(s.updated_at).toISOString();
      date.title = formatAbsolute(s.updated_at);
    }
    const pin = li.querySelector<HTMLButtonElement>('[data-action="pin"]');
    if (pin && pin.dataset.state !== String(s.pinned)) {
      pin.dataset.state = String(s.pinned);
      pin.innerHTML = s.pinned ? ICONS.unpin : ICONS.pin; // constant markup
      const label = s.pinned ? t("Unpin") : t("Pin");
      pin.title = label;
      pin.setAttribute("aria-label", label);
    }
    if (s.id === this.activeId) li.setAttribute("aria-current", "true");
    else li.removeAttribute("aria-current");
    showTurnPhase(li, this.turnPhases.get(s.id) ?? null);
  }

  private removeItem(id: number): void {
    if (!this.byId.has(id)) return;
    const i = this.indexOf(id);
    if (i >= 0) this.items.splice(i, 1);
    this.byId.delete(id);
  }

  private refreshDates(): void {
    const now = Date.now();
    for (const [id, li] of this.rendered) {
      const s = this.byId.get(id);
      const date = li.querySelector("time");
      if (s && date) {
        const text = formatRelative(s.updated_at, now);
        if (date.textContent !== text) date.textContent = text;
      }
    }
  }

  // --- actions -----------------------------------------------------------

  private rowOf(target: EventTarget | null): { li: HTMLLIElement; id: number } | null {
    if (!(target instanceof Element)) return null;
    const li = target.closest<HTMLLIElement>(".conversation-row");
    if (!li) return null;
    const id = Number(li.dataset.id);
    return Number.isFinite(id) ? { li, id } : null;
  }

  private onClick(event: MouseEvent): void {
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
        void this.archive(row.id);
        return;
      case "delete":
        void this.delete(row.li, row.id);
        return;
    }
    // Anywhere else on the row (but not in the rename box) opens it.
    if (!event.target.closest(".row-rename")) this.o.onOpen(row.id);
  }

  private onKey(event: KeyboardEvent): void {
    if (!(event.target instanceof Element) || !event.target.classList.contains("row-open")) return;
    const row = this.rowOf(event.target);
    if (!row) return;
    if (event.key === "F2") {
      event.preventDefault();
      this.startRename(row.li, row.id);
    } else if (event.key === "Delete") {
      event.preventDefault();
      void this.delete(row.li, row.id);
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp" || event.key === "Home" || event.key === "End") {
      event.preventDefault();
      const at = this.indexOf(row.id);
      const to =
        event.key === "Home" ? 0 : event.key === "End" ? this.items.length - 1 : at + (event.key === "ArrowDown" ? 1 : -1);
      this.focusIndex(to);
    }
  }

  /** Scrolls row `index` into view, renders it and gives it the focus. */
  private focusIndex(index: number): void {
    const s = this.items[index];
    if (!s) return;
    const height = this.measure();
    const scroll = this.o.scroll;
    const offset = scroll.scrollTop - this.o.list.offsetTop;
    const wanted = scrollToShow(index, offset, scroll.clientHeight, height);
    if (wanted !== offset) scroll.scrollTop = wanted + this.o.list.offsetTop;
    this.render();
    this.rendered.get(s.id)?.querySelector<HTMLButtonElement>(".row-open")?.focus();
  }

  private startRename(li: HTMLLIElement, id: number): void {
    const s = this.byId.get(id);
    const open = li.querySelector<HTMLButtonElement>(".row-open");
    if (!s || !open || li.dataset.editing) return;
    li.dataset.editing = "1";
    const input = el("input", {
      className: "row-rename",
      attrs: { type: "text", "aria-label": t("Conversation title"), maxlength: "200", spellcheck: "false" },
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
      const current = this.byId.get(id) ?? s;
      if (!commit || title === "" || title === current.title) {
        this.render();
        return;
      }
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

  /** Shows a new title on a loaded row (the row keeps its place: titles do not order). */
  applyTitle(id: number, title: string, notify = true): void {
    const s = this.byId.get(id);
    if (s && s.title !== title) {
      s.title = title;
      this.render();
    }
    if (notify) this.o.onRenamed(id, title);
  }

  private async togglePin(id: number): Promise<void> {
    const s = this.byId.get(id);
    if (!s) return;
    const pinned = !s.pinned;
    try {
      await backend.setPinned(id, pinned);
    } catch (err) {
      this.o.onError(err as AppError);
      return;
    }
    const now = this.byId.get(id);
    if (!now) return;
    this.put({ ...now, pinned });
    const at = this.indexOf(id);
    if (at >= 0) this.focusIndex(at);
    this.rendered.get(id)?.querySelector<HTMLButtonElement>('[data-action="pin"]')?.focus();
  }

  /** Moves a row to the archive (or back out of it), with Undo. */
  private async archive(id: number): Promise<void> {
    const s = this.byId.get(id);
    if (!s) return;
    const archived = !this.archived;
    const gen = this.gen;
    this.forget(id);
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
      if (gen === this.gen) this.put(s);
      return;
    }
    const what = archived ? t("Archived “{title}”", { title: s.title }) : t("Moved back from the archive: “{title}”", { title: s.title });
    this.o.toast.show(what, {
      label: t("Undo"),
      run: () =>
        void flip(!archived).then((ok) => {
          if (ok && gen === this.gen) this.put(s);
        }),
    });
  }

  private async delete(li: HTMLLIElement, id: number): Promise<void> {
    const s = this.byId.get(id);
    if (!s) return;
    const hadFocus = li.contains(document.activeElement);
    const at = this.indexOf(id);
    this.forget(id);
    if (hadFocus) this.focusIndex(Math.min(at, this.items.length - 1));
    try {
      await backend.deleteConversation(id);
    } catch (err) {
      this.put(s);
      this.o.onError(err as AppError);
      return;
    }
    this.o.onDeleted(id);
    this.o.toast.show(t("Deleted “{title}”", { title: s.title }), { label: t("Undo"), run: () => void this.undoDelete(s) });
  }

  private async undoDelete(s: ConversationSummary): Promise<void> {
    try {
      await backend.restoreConversation(s.id);
    } catch (err) {
      this.o.onError(err as AppError);
      return;
    }
    this.put(s);
    this.o.onRestored(s.id);
  }

  private forget(id: number): void {
    this.removeItem(id);
    const li = this.rendered.get(id);
    if (li) {
      // Its focus moves on first (delete), so render may drop it.
      li.blur();
      li.remove();
      this.rendered.delete(id);
    }
    this.render();
  }
}

function showTurnPhase(li: HTMLLIElement, phase: TurnPhase | null): void {
  const value = phase ?? "";
  if ((li.dataset.turn ?? "") === value) return;
  if (phase === null) delete li.dataset.turn;
  else li.dataset.turn = phase;
  const badge = li.querySelector(".row-turn");
  if (badge) badge.textContent = phase === null ? "" : t(TURN_LABELS[phase]);
}
