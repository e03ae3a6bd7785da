// History search (#search-input; hits as .search-hit in #search-results):
// search as you type, debounced, with the period, model, pinned and archived
// filters. While it shows results, the conversation list is hidden.
//
// Keyboard: Down/Up move through the hits (aria-activedescendant on the
// input), Enter opens the chosen one (or the first), Esc clears the search.

import * as backend from "../backend";
import { el } from "../dom";
import { toAppError } from "../lib/errors";
import { snippetToHtml, snippetToText } from "../lib/html";
import { t } from "../lib/i18n";
import { modelChoices } from "../lib/models";
import { DEFAULT_FILTERS, buildSearchQuery, filtersActive, isSearchPeriod, type SearchFilters } from "../lib/search";
import { formatRelative } from "../lib/time";
import { Latest, debounce, type Debounced } from "../lib/util";
import type { AppError, ModelInfo, SearchHit } from "../types";

const SEARCH_LIMIT = 30;
const SEARCH_DEBOUNCE_MS = 120;

export interface HistorySearchOptions {
  input: HTMLInputElement;
  results: HTMLElement;
  /** Shown while searching: period, model, pinned only, archived included. */
  filters: HTMLElement;
  period: HTMLSelectElement;
  model: HTMLSelectElement;
  pinned: HTMLInputElement;
  archived: HTMLInputElement;
  /** Results shown (true) or gone (false): the list hides behind them. */
  onShowing(showing: boolean): void;
  /** A hit was opened. */
  onOpen(conversationId: number, messageId: number): void;
}

export class HistorySearch {
  private readonly latest = new Latest();
  private readonly runSoon: Debounced<[string]>;
  private hits: SearchHit[] = [];
  private models: readonly ModelInfo[] = [];
  private selected = -1;
  private searchedQuery = "";

  constructor(private readonly o: HistorySearchOptions) {
    this.runSoon = debounce((q: string) => void this.run(q), SEARCH_DEBOUNCE_MS);
    o.input.addEventListener("input", () => this.onInput());
    o.input.addEventListener("keydown", (e) => this.onKey(e));
    o.results.addEventListener("click", (e) => {
      const hit = e.target instanceof Element ? e.target.closest<HTMLElement>(".search-hit") : null;
      if (hit) this.openHit(Number(hit.dataset.index));
    });
    o.results.hidden = true;
    o.filters.hidden = true;
    const onFilters = () => {
      const q = o.input.value.trim();
      o.filters.dataset.active = String(filtersActive(this.filters()));
      if (q !== "") void this.run(q);
    };
    for (const input of [o.period, o.model, o.pinned, o.archived]) input.addEventListener("change", onFilters);
  }

  focus(): void {
    this.o.input.focus();
    this.o.input.select();
  }

  /** Empties the search box (when `clearInput`) and shows the conversation list again. */
  clear(clearInput: boolean): void {
    this.runSoon.cancel();
    this.latest.next(); // late results of an older query are dropped
    if (clearInput) this.o.input.value = "";
    this.hits = [];
    this.selected = -1;
    this.searchedQuery = "";
    this.o.results.replaceChildren();
    this.o.results.hidden = true;
    this.o.filters.hidden = true;
    this.o.input.setAttribute("aria-expanded", "false");
    this.o.input.removeAttribute("aria-activedescendant");
    this.o.onShowing(false);
  }

  /** After a language switch: the filter's words and the hits shown, again. */
  relabel(): void {
    this.setModels(this.models);
    if (this.searchedQuery !== "") void this.run(this.searchedQuery);
  }

  /** Offers the service's models in the model filter, keeping the choice. */
  setModels(models: readonly ModelInfo[]): void {
    this.models = models;
    const select = this.o.model;
    const chosen = select.value;
    const options = modelChoices(models, [chosen]).map((m) => el("option", { text: m.label, attrs: { value: m.id } }));
    select.replaceChildren(el("option", { text: t("Any model"), attrs: { value: "" } }), ...options);
    select.value = chosen;
  }

  private onInput(): void {
    const q = this.o.input.value.trim();
    if (q === "") {
      this.clear(false);
      return;
    }
    this.runSoon(q);
  }

  private onKey(event: KeyboardEvent): void {
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
        const q = this.o.input.value.trim();
        if (q === "") return;
        if (q !== this.searchedQuery) {
          // Typed faster than the debounce: search now, then open the first hit.
          this.runSoon.cancel();
          void this.run(q).then(() => this.openHit(0));
        } else {
          this.openHit(Math.max(0, this.selected));
        }
        return;
      }
      case "Escape":
        if (this.o.input.value !== "" || !this.o.results.hidden) {
          event.preventDefault();
          this.clear(true);
        }
        return;
    }
  }

  private filters(): SearchFilters {
    const period = this.o.period.value;
    return {
      period: isSearchPeriod(period) ? period : DEFAULT_FILTERS.period,
      model: this.o.model.value || null,
      pinnedOnly: this.o.pinned.checked,
      includeArchived: this.o.archived.checked,
    };
  }

  private async run(query: string): Promise<void> {
    const token = this.latest.next();
    let hits: SearchHit[];
    try {
      hits = await backend.searchHistory(buildSearchQuery(query, this.filters(), SEARCH_LIMIT, Date.now()));
    } catch (err) {
      if (!this.latest.isCurrent(token)) return;
      this.showMessage(t("Search failed: {reason}", { reason: toAppError(err).message }));
      this.searchedQuery = query;
      return;
    }
    if (!this.latest.isCurrent(token)) return;
    this.searchedQuery = query;
    this.hits = hits;
    this.selected = -1;
    if (hits.length === 0) {
      this.showMessage(t("No matches."));
      return;
    }
    const now = Date.now();
    const fragment = document.createDocumentFragment();
    hits.forEach((hit, index) => fragment.append(renderHit(hit, index, now)));
    this.o.results.replaceChildren(fragment);
    this.show();
  }

  private showMessage(text: string): void {
    this.hits = [];
    this.selected = -1;
    this.o.results.replaceChildren(el("li", { className: "search-empty", text }));
    this.show();
  }

  private show(): void {
    this.o.results.hidden = false;
    this.o.filters.hidden = false;
    this.o.results.scrollTop = 0;
    this.o.input.setAttribute("aria-expanded", "true");
    this.o.onShowing(true);
  }

  private select(index: number): void {
    const items = this.o.results.querySelectorAll<HTMLElement>(".search-hit");
    items[this.selected]?.setAttribute("aria-selected", "false");
    this.selected = index;
    const item = items[index];
    if (item) {
      item.setAttribute("aria-selected", "true");
      item.scrollIntoView({ block: "nearest" });
      this.o.input.setAttribute("aria-activedescendant", item.id);
    }
  }

  private openHit(index: number): void {
    const hit = this.hits[index];
    if (!hit) return;
    this.select(index);
    this.o.onOpen(hit.conversation_id, hit.message_id);
  }
}

function renderHit(hit: SearchHit, index: number, now: number): HTMLLIElement {
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
  snippet.append(el("span", { className: "hit-role", text: hit.role === "user" ? `${t("You:")} ` : `${t("Claude:")} ` }));
  const text = el("span");
  text.innerHTML = snippetToHtml(hit.snippet); // escaped; only <mark> is markup
  snippet.append(text);
  li.title = snippetToText(hit.snippet);
  li.append(head, snippet);
  return li;
}
