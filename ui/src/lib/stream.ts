// The streaming message updater, behind the smallest element interface it
// needs so it is unit-tested under node with a fake element.
//
// A reply in progress is rendered as: [finished blocks...][tail]. Each delta
// carries `append_html` (blocks that just became complete) and `tail_html` (the
// block still being written). Applying one costs O(size of the delta): the new
// blocks are parsed and inserted before the tail, and only the tail's own
// content is replaced. Nothing already finished is touched or re-serialized.

/** What the updater needs of the tail element (a subset of `Element`). */
export interface TailElement {
  innerHTML: string;
  insertAdjacentHTML(position: "beforebegin", html: string): void;
}

export interface DeltaLike {
  append_html: string;
  tail_html: string;
}

export class StreamingTail<E extends TailElement = TailElement> {
  /** What the tail holds now; kept here so it is never read back from the DOM. */
  private current: string;

  constructor(readonly tail: E, initialTailHtml = "") {
    this.current = initialTailHtml;
    if (initialTailHtml !== "") tail.innerHTML = initialTailHtml;
  }

  /** The tail's current HTML, as last set. */
  get tailHtml(): string {
    return this.current;
  }

  /**
   * Applies one delta. `beforeAppend` runs just before new blocks are inserted
   * (so a caller can note where they start, to decorate only them). Returns
   * whether anything changed.
   */
  apply(delta: DeltaLike, beforeAppend?: () => void): boolean {
    let changed = false;
    if (delta.append_html !== "") {
      beforeAppend?.();
      this.tail.insertAdjacentHTML("beforebegin", delta.append_html);
      changed = true;
    }
    if (delta.tail_html !== this.current) {
      this.tail.innerHTML = delta.tail_html;
      this.current = delta.tail_html;
      changed = true;
    }
    return changed;
  }
}
