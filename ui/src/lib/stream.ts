// The streaming message updater, behind the smallest element interface it
// needs so it is unit-tested under node with a fake element.
//
// A reply in progress is rendered as: [finished blocks...][tail]. Each delta
// carries `append_html` (blocks that just became complete), `tail_html` (the
// block still being written, when it was re-rendered) and `tail_text`
// (escaped text that extends the tail: a growing code block, or a long block
// between its re-renders; see the core's markdown::StreamRenderer). Applying
// one costs O(size of the delta): new blocks are inserted before the tail
// (by default; the pane groups them in chunks, see views/conversation.ts),
// the tail is replaced only when re-rendered, and extending text is parsed on
// its own. Nothing already finished is touched or re-serialized.

/** What the updater needs of the tail element (a subset of `Element`). */
export interface TailElement {
  innerHTML: string;
  insertAdjacentHTML(position: "beforebegin", html: string): void;
}

export interface DeltaLike {
  append_html: string;
  tail_html?: string;
  tail_text?: string;
}

/**
 * The blocks extending text goes into: it is added inside the tail's last
 * child while that child is one of these (the `code` of a `pre`, a `p`, a
 * list item...). Mirrors the core's `markdown::TAIL_TEXT_CONTAINERS`.
 */
const TEXT_CONTAINERS = new Set(["P", "PRE", "CODE", "UL", "OL", "LI", "BLOCKQUOTE"]);

/** Adds escaped text at the end of `root`'s innermost last block. */
export function appendInnermost(root: Element, escapedText: string): void {
  let el = root;
  for (;;) {
    let last = el.lastChild;
    // White space between tags is not content: step over it.
    while (last && last.nodeType === 3 && (last.textContent ?? "").trim() === "") {
      last = last.previousSibling;
    }
    if (last instanceof Element && TEXT_CONTAINERS.has(last.tagName)) el = last;
    else break;
  }
  el.insertAdjacentHTML("beforeend", escapedText);
}

export class StreamingTail<E extends TailElement = TailElement> {
  /** What the tail holds now; kept here so it is never read back from the DOM. */
  private current: string;
  /** Text was added to the tail since `current` was set. */
  private extended = false;

  constructor(
    readonly tail: E,
    initialTailHtml = "",
    private readonly extend: (tail: E, escapedText: string) => void = (tail, text) =>
      appendInnermost(tail as unknown as Element, text),
    private readonly insertBlocks: (html: string) => void = (html) => tail.insertAdjacentHTML("beforebegin", html),
  ) {
    this.current = initialTailHtml;
    if (initialTailHtml !== "") tail.innerHTML = initialTailHtml;
  }

  /** The tail's HTML as last set (before any extending text). */
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
      this.insertBlocks(delta.append_html);
      changed = true;
    }
    if (delta.tail_html !== undefined && (this.extended || delta.tail_html !== this.current)) {
      this.tail.innerHTML = delta.tail_html;
      this.current = delta.tail_html;
      this.extended = false;
      changed = true;
    }
    if (delta.tail_text) {
      this.extend(this.tail, delta.tail_text);
      // The tail now holds more than `current`: the next re-render must land.
      this.extended = true;
      changed = true;
    }
    return changed;
  }
}
