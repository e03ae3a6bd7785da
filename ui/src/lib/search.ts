// The search filters under the search box, turned into the backend's query.

import type { SearchQuery } from "../types";

/** How far back a search looks. */
export type SearchPeriod = "any" | "week" | "month" | "year";

export interface SearchFilters {
  period: SearchPeriod;
  /** Only messages by (or in conversations using) this model; null for any. */
  model: string | null;
  pinnedOnly: boolean;
  includeArchived: boolean;
}

export const DEFAULT_FILTERS: SearchFilters = { period: "any", model: null, pinnedOnly: false, includeArchived: true };

const DAY_MS = 86_400_000;
const PERIOD_DAYS: Record<Exclude<SearchPeriod, "any">, number> = { week: 7, month: 30, year: 365 };

export function isSearchPeriod(value: string): value is SearchPeriod {
  return value === "any" || Object.hasOwn(PERIOD_DAYS, value);
}

/** The query for `text` with `filters`, as of `now` (ms since the epoch). */
export function buildSearchQuery(text: string, filters: SearchFilters, limit: number, now: number): SearchQuery {
  const query: SearchQuery = {
    text,
    pinned_only: filters.pinnedOnly,
    include_archived: filters.includeArchived,
    limit,
  };
  if (filters.period !== "any") query.from = now - PERIOD_DAYS[filters.period] * DAY_MS;
  if (filters.model !== null && filters.model !== "") query.model = filters.model;
  return query;
}

/** True when the filters narrow the search (the UI marks the filter row then). */
export function filtersActive(filters: SearchFilters): boolean {
  return (
    filters.period !== DEFAULT_FILTERS.period ||
    (filters.model ?? "") !== "" ||
    filters.pinnedOnly !== DEFAULT_FILTERS.pinnedOnly ||
    filters.includeArchived !== DEFAULT_FILTERS.includeArchived
  );
}
