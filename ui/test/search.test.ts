import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DEFAULT_FILTERS, buildSearchQuery, filtersActive, isSearchPeriod } from "../src/lib/search";

const now = Date.UTC(2026, 10, 30, 12, 0, 0);

describe("buildSearchQuery", () => {
  test("the defaults search everything, archive included, with no date bound", () => {
    const q = buildSearchQuery("привет", DEFAULT_FILTERS, 30, now);
    assert.deepEqual(q, { text: "привет", pinned_only: false, include_archived: true, limit: 30 });
    assert.equal("from" in q, false);
  });

  test("a period sets `from` that many days back", () => {
    assert.equal(buildSearchQuery("x", { ...DEFAULT_FILTERS, period: "week" }, 5, now).from, now - 7 * 86_400_000);
    assert.equal(buildSearchQuery("x", { ...DEFAULT_FILTERS, period: "month" }, 5, now).from, now - 30 * 86_400_000);
    assert.equal(buildSearchQuery("x", { ...DEFAULT_FILTERS, period: "year" }, 5, now).from, now - 365 * 86_400_000);
  });

  test("pinned-only and archive switches pass through", () => {
    const q = buildSearchQuery("x", { period: "any", model: null, pinnedOnly: true, includeArchived: false }, 5, now);
    assert.equal(q.pinned_only, true);
    assert.equal(q.include_archived, false);
  });

  test("a model narrows the search; none (or an empty choice) does not", () => {
    assert.equal(buildSearchQuery("x", { ...DEFAULT_FILTERS, model: "claude-sonnet-4" }, 5, now).model, "claude-sonnet-4");
    assert.equal("model" in buildSearchQuery("x", { ...DEFAULT_FILTERS, model: "" }, 5, now), false);
    assert.equal("model" in buildSearchQuery("x", DEFAULT_FILTERS, 5, now), false);
  });
});

describe("filters", () => {
  test("only non-default filters count as active", () => {
    assert.equal(filtersActive(DEFAULT_FILTERS), false);
    assert.equal(filtersActive({ ...DEFAULT_FILTERS, period: "year" }), true);
    assert.equal(filtersActive({ ...DEFAULT_FILTERS, includeArchived: false }), true);
    assert.equal(filtersActive({ ...DEFAULT_FILTERS, model: "claude-3.7-sonnet" }), true);
    assert.equal(filtersActive({ ...DEFAULT_FILTERS, model: "" }), false);
  });

  test("periods are validated", () => {
    assert.equal(isSearchPeriod("month"), true);
    assert.equal(isSearchPeriod("decade"), false);
    assert.equal(isSearchPeriod("toString"), false);
  });
});
