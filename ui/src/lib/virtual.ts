// The arithmetic of a virtualized list of equal-height rows: which rows a
// viewport shows, and where a row goes in an ordered array. Pure, so the
// list view (views/conversation-list.ts) keeps only DOM work.

export interface Range {
  /** First index rendered. */
  start: number;
  /** One past the last index rendered. */
  end: number;
}

/**
 * The rows to render for a viewport `viewport` pixels tall scrolled to
 * `offset` pixels into a list of `count` rows of `rowHeight` pixels, with
 * `overscan` rows either side so a fast scroll does not show blank space.
 * The DOM holds at most viewport / rowHeight + 2 * overscan + 1 rows, however
 * long the list.
 */
export function visibleRange(offset: number, viewport: number, rowHeight: number, count: number, overscan: number): Range {
  if (count <= 0 || rowHeight <= 0 || viewport <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, offset) / rowHeight);
  const last = Math.ceil((Math.max(0, offset) + viewport) / rowHeight);
  const start = Math.min(count, Math.max(0, first - overscan));
  const end = Math.min(count, Math.max(start, last + overscan));
  return { start, end };
}

/**
 * The scroll offset that brings row `index` fully into a viewport at
 * `offset`, moving as little as possible (unchanged when it is already in).
 */
export function scrollToShow(index: number, offset: number, viewport: number, rowHeight: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < offset) return top;
  if (bottom > offset + viewport) return Math.max(0, bottom - viewport);
  return offset;
}

/**
 * Where `item` goes in `items`, which `before` keeps ordered: the index of
 * the first element it comes before (items.length: after all). Binary
 * search, so placing a row in 100,000 costs 17 comparisons.
 */
export function insertionIndex<T>(items: readonly T[], item: T, before: (a: T, b: T) => boolean): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(item, items[mid] as T)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
