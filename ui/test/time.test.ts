import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { calendarDaysBetween, formatRelative } from "../src/lib/time";

// Local-time constructors keep these tests independent of the machine's zone.
const at = (y: number, mo: number, d: number, h = 12, mi = 0, s = 0) => new Date(y, mo - 1, d, h, mi, s).getTime();
const now = at(2024, 3, 15, 14, 30); // Friday 15 March 2024, 14:30

describe("formatRelative", () => {
  test("seconds ago (and slight clock skew) is 'just now'", () => {
    assert.equal(formatRelative(now, now, "en-US"), "just now");
    assert.equal(formatRelative(now - 59_000, now, "en-US"), "just now");
    assert.equal(formatRelative(now + 30_000, now, "en-US"), "just now");
  });

  test("minutes within the hour", () => {
    assert.equal(formatRelative(now - 60_000, now, "en-US"), "1 min ago");
    assert.equal(formatRelative(now - 59 * 60_000, now, "en-US"), "59 min ago");
  });

  test("hours on the same day", () => {
    assert.equal(formatRelative(at(2024, 3, 15, 13, 30), now, "en-US"), "1 h ago");
    assert.equal(formatRelative(at(2024, 3, 15, 0, 5), now, "en-US"), "14 h ago");
  });

  test("yesterday by the calendar, even less than 24 h ago", () => {
    assert.equal(formatRelative(at(2024, 3, 14, 23, 59), now, "en-US"), "Yesterday");
    assert.equal(formatRelative(at(2024, 3, 14, 0, 1), now, "en-US"), "Yesterday");
  });

  test("the weekday within the last week", () => {
    assert.equal(formatRelative(at(2024, 3, 13), now, "en-US"), "Wednesday");
    assert.equal(formatRelative(at(2024, 3, 9), now, "en-US"), "Saturday");
  });

  test("month and day within the year, with the year before", () => {
    assert.equal(formatRelative(at(2024, 3, 8), now, "en-US"), "Mar 8");
    assert.equal(formatRelative(at(2024, 1, 2), now, "en-US"), "Jan 2");
    assert.equal(formatRelative(at(2023, 12, 31), now, "en-US"), "Dec 31, 2023");
  });

  test("far future dates show the date", () => {
    assert.equal(formatRelative(at(2025, 6, 1), now, "en-US"), "Jun 1, 2025");
  });

  test("not a number gives an empty label", () => {
    assert.equal(formatRelative(Number.NaN, now, "en-US"), "");
  });
});

describe("calendarDaysBetween", () => {
  test("counts calendar days, not 24 h spans", () => {
    assert.equal(calendarDaysBetween(at(2024, 3, 14, 23, 0), at(2024, 3, 15, 1, 0)), 1);
    assert.equal(calendarDaysBetween(at(2024, 3, 15, 0, 0), at(2024, 3, 15, 23, 59)), 0);
    assert.equal(calendarDaysBetween(at(2024, 2, 28), at(2024, 3, 1)), 2, "leap year");
    assert.equal(calendarDaysBetween(at(2024, 3, 30), at(2024, 4, 2)), 3, "across a DST change in many zones");
  });
});
