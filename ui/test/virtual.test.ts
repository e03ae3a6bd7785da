import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { insertionIndex, scrollToShow, visibleRange } from "../src/lib/virtual";

describe("visibleRange", () => {
  test("the top of a long list renders the viewport and the overscan below it", () => {
    assert.deepEqual(visibleRange(0, 400, 40, 100_000, 5), { start: 0, end: 15 });
  });

  test("deep in the list the window is the same size, whatever the length", () => {
    const near = visibleRange(40 * 1000 + 20, 400, 40, 100_000, 5);
    const far = visibleRange(40 * 90_000 + 20, 400, 40, 100_000, 5);
    assert.deepEqual(near, { start: 995, end: 1016 });
    assert.equal(far.end - far.start, near.end - near.start);
    assert.equal(far.start, 89_995);
  });

  test("the end of the list is clamped; a short list renders whole", () => {
    assert.deepEqual(visibleRange(40 * 98, 400, 40, 100, 5), { start: 93, end: 100 });
    assert.deepEqual(visibleRange(0, 800, 40, 7, 5), { start: 0, end: 7 });
  });

  test("nothing to render: no rows, or a hidden viewport", () => {
    assert.deepEqual(visibleRange(0, 400, 40, 0, 5), { start: 0, end: 0 });
    assert.deepEqual(visibleRange(0, 0, 40, 50, 5), { start: 0, end: 0 });
  });

  test("an offset past the end (a list that shrank) still renders its last rows", () => {
    const r = visibleRange(40 * 500, 400, 40, 20, 5);
    assert.equal(r.end, 20);
    assert.ok(r.start <= r.end);
  });
});

describe("scrollToShow", () => {
  test("a row already in view does not move the list", () => {
    assert.equal(scrollToShow(3, 0, 400, 40), 0);
  });
  test("a row below the viewport is scrolled up to its bottom edge", () => {
    assert.equal(scrollToShow(10, 0, 400, 40), 40);
  });
  test("a row above is scrolled down to its top", () => {
    assert.equal(scrollToShow(2, 200, 400, 40), 80);
  });
});

describe("insertionIndex", () => {
  const desc = (a: number, b: number) => a > b;
  test("places an item among ordered ones, before the first it comes before", () => {
    assert.equal(insertionIndex([9, 7, 5, 3], 6, desc), 2);
    assert.equal(insertionIndex([9, 7, 5, 3], 10, desc), 0);
    assert.equal(insertionIndex([9, 7, 5, 3], 1, desc), 4);
    assert.equal(insertionIndex([], 1, desc), 0);
  });
  test("an equal item goes after its equals", () => {
    assert.equal(insertionIndex([9, 7, 7, 3], 7, desc), 3);
  });
});
