// Which links inside messages may be opened, and how. The webview itself never
// navigates: external links go to the system browser through the backend's
// `open_link`, in-page fragments scroll, everything else is ignored. Pure.

/** Schemes handed to the system browser (or mail client). */
export const ALLOWED_PROTOCOLS: ReadonlySet<string> = new Set(["http:", "https:", "mailto:"]);

export type LinkAction =
  /** Open `url` (normalized) with the system's handler. */
  | { kind: "external"; url: string }
  /** Scroll to the element with this id (a footnote, say), within the page. */
  | { kind: "fragment"; id: string }
  /** Do nothing. */
  | { kind: "blocked" };

/**
 * Classifies the raw `href` attribute of a clicked link. Relative URLs, and
 * every scheme but http, https and mailto (javascript:, data:, file:, asset:,
 * tauri:, ipc:...), are blocked; the URL parser's own normalization is used so
 * tricks like leading spaces, embedded tabs or mixed case cannot slip through.
 */
export function classifyLink(href: string | null | undefined): LinkAction {
  if (href == null) return { kind: "blocked" };
  const raw = href.trim();
  if (raw === "") return { kind: "blocked" };
  if (raw.startsWith("#")) {
    let id: string;
    try {
      id = decodeURIComponent(raw.slice(1));
    } catch {
      return { kind: "blocked" };
    }
    return id === "" ? { kind: "blocked" } : { kind: "fragment", id };
  }
  let url: URL;
  try {
    url = new URL(raw); // no base: relative URLs throw
  } catch {
    return { kind: "blocked" };
  }
  if (!ALLOWED_PROTOCOLS.has(url.protocol)) return { kind: "blocked" };
  if (url.protocol !== "mailto:" && url.hostname === "") return { kind: "blocked" };
  return { kind: "external", url: url.href };
}

/** True when `href` would be opened in the system browser. */
export function isExternalLinkAllowed(href: string | null | undefined): boolean {
  return classifyLink(href).kind === "external";
}
