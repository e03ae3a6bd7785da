// Small DOM helpers. Text always goes in through textContent; the only HTML the
// UI inserts is the backend's sanitized message HTML, the escaped search
// snippets and the constant icons below.

/** The element with this id; throws if index.html lacks it (a build mistake). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found as T;
}

export interface ElOptions {
  className?: string;
  text?: string;
  attrs?: Record<string, string>;
  dataset?: Record<string, string>;
}

/** Creates an element; `text` is set as textContent (never parsed). */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElOptions = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  if (options.attrs) for (const [k, v] of Object.entries(options.attrs)) node.setAttribute(k, v);
  if (options.dataset) for (const [k, v] of Object.entries(options.dataset)) node.dataset[k] = v;
  if (children.length > 0) node.append(...children);
  return node;
}

/** A button holding one of the constant icons and an accessible label. */
export function iconButton(icon: IconName, label: string, className: string): HTMLButtonElement {
  const button = el("button", { className, attrs: { type: "button", title: label, "aria-label": label } });
  button.innerHTML = ICONS[icon]; // constant markup, no untrusted input
  return button;
}

const FOCUSABLE = "input, select, textarea, button, [href], [tabindex]";

/** The elements Tab can reach inside `container`, in document order. */
function tabbables(container: HTMLElement): HTMLElement[] {
  return Array.from(container.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (e) =>
      e.tabIndex >= 0 &&
      !(e as HTMLInputElement).disabled &&
      !e.closest("[hidden]") &&
      e.getClientRects().length > 0,
  );
}

/** For a modal's keydown: Tab and Shift+Tab wrap around inside `container`. */
export function keepTabInside(container: HTMLElement, event: KeyboardEvent): void {
  // WebKitGTK reports Shift+Tab (GDK's ISO_Left_Tab) as key "Unidentified", code "Tab".
  const tab = event.key === "Tab" || event.code === "Tab";
  if (!tab || event.altKey || event.ctrlKey || event.metaKey) return;
  const items = tabbables(container);
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) return;
  const active = document.activeElement;
  const inside = active instanceof Node && container.contains(active);
  if (event.shiftKey && (active === first || !inside)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !inside)) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * A modal <dialog>'s keys: Escape calls `close` (handled here, so the
 * app-wide Escape that stops a streaming reply never sees it), Tab wraps
 * inside, and any other way the browser cancels the dialog closes it too.
 */
export function wireModalKeys(dialog: HTMLDialogElement, close: () => void): void {
  dialog.addEventListener("keydown", (event) => {
    if (event.isComposing) return;
    if (event.key === "Escape") {
      event.preventDefault();
      close();
      return;
    }
    keepTabInside(dialog, event);
  });
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    close();
  });
}

/** Shows `message` in an error line (text only), or hides it (null). */
export function showInlineError(box: HTMLElement, message: string | null): void {
  box.textContent = message ?? "";
  box.hidden = message === null;
}

/** After a modal closes: focus goes back where it was, if that is still usable. */
export function returnFocusTo(back: HTMLElement | null): void {
  if (back && back.isConnected && !back.closest("[inert]") && !(back as HTMLButtonElement).disabled) back.focus();
}

// 16x16 stroke icons (constant strings; presentation attributes only, no `style`).
const svg = (body: string) =>
  `<svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round">${body}</svg>`;

export const ICONS = {
  rename: svg('<path d="M11 2.5l2.5 2.5L6 12.5 3 13l.5-3z"/>'),
  pin: svg('<path d="M6 2h4l-.5 4 2.5 2.5H4L6.5 6z"/><path d="M8 8.5V14"/>'),
  unpin: svg('<path d="M6 2h4l-.5 4 2.5 2.5H4L6.5 6z"/><path d="M8 8.5V14"/><path d="M2.5 2.5l11 11"/>'),
  archive: svg('<rect x="2" y="3" width="12" height="3" rx=".5"/><path d="M3 6v7h10V6M6.5 8.5h3"/>'),
  unarchive: svg('<rect x="2" y="3" width="12" height="3" rx=".5"/><path d="M3 6v7h10V6M8 12V8.5M6.5 10 8 8.5 9.5 10"/>'),
  delete: svg('<path d="M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.5 8.5h6l.5-8.5"/>'),
  close: svg('<path d="M4 4l8 8M12 4l-8 8"/>'),
  copy: svg('<rect x="5.5" y="5.5" width="8" height="8" rx="1"/><path d="M3.5 10.5h-1v-8h8v1"/>'),
  menu: svg('<path d="M2.5 4h11M2.5 8h11M2.5 12h11"/>'),
} as const;

export type IconName = keyof typeof ICONS;
