// Building HTML from text that must stay text. Pure: no DOM needed, so it is
// unit-tested under node.

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for use inside HTML element content or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

/** Marks the start of a matched term in a search snippet (from SQLite FTS5). */
export const MARK_START = "\u0002";
/** Marks the end of a matched term in a search snippet. */
export const MARK_END = "\u0003";

// C0 controls other than tab, newline and carriage return, plus DEL: never
// meaningful in a snippet, and the two markers are handled before this runs.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

/**
 * Turns an untrusted search snippet into safe HTML: the text is escaped, and
 * only the \u0002...\u0003 markers become `<mark>` elements. Unbalanced markers
 * are tolerated (a stray end is dropped, an unclosed start is closed at the
 * end), nested starts are ignored, and empty marks are omitted.
 */
export function snippetToHtml(snippet: string): string {
  let out = "";
  let open = false;
  let pending = ""; // text of the current mark, held until we know it is non-empty
  for (const part of snippet.split(/([\u0002\u0003])/)) {
    if (part === MARK_START) {
      if (!open) {
        open = true;
        pending = "";
      }
    } else if (part === MARK_END) {
      if (open) {
        if (pending !== "") out += `<mark>${escapeHtml(pending)}</mark>`;
        open = false;
        pending = "";
      }
    } else {
      const text = part.replace(CONTROL, "");
      if (open) pending += text;
      else out += escapeHtml(text);
    }
  }
  if (open && pending !== "") out += `<mark>${escapeHtml(pending)}</mark>`;
  return out;
}

/** The snippet as plain text, markers removed (for titles and screen readers). */
export function snippetToText(snippet: string): string {
  return snippet.replace(/[\u0002\u0003]/g, "").replace(CONTROL, "");
}
