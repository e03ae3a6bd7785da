// The static page's own words (index.html): its text and its aria-label,
// placeholder and title attributes, in the current language. Each string is
// keyed by the English it was written in; a node a view has since rewritten
// is left to that view (the view re-renders on the same switch).

import { onLocaleChange, t } from "../lib/i18n";

const ATTRIBUTES = ["aria-label", "placeholder", "title"] as const;

interface Spot {
  english: string;
  shown: string;
  read(): string | null;
  write(text: string): void;
}

/** The same whitespace rule as the page-strings test: one space between words. */
export function pageKey(raw: string): string {
  return raw.trim().replace(/\s+/g, " ");
}

function collect(root: HTMLElement): Spot[] {
  const spots: Spot[] = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node as Text;
    const english = pageKey(text.data);
    if (!/\p{L}/u.test(english)) continue;
    // A text that is its element's whole content is tracked by the element:
    // a view that sets the element's textContent replaces the node.
    const owner = text.parentElement;
    const whole = owner !== null && owner.childNodes.length === 1;
    spots.push({
      english,
      shown: text.data,
      read: () => (whole ? owner.textContent : text.data),
      write: (s) => {
        if (whole) owner.textContent = s;
        else text.data = s;
      },
    });
  }
  for (const element of root.querySelectorAll<HTMLElement>(ATTRIBUTES.map((a) => `[${a}]`).join(","))) {
    for (const name of ATTRIBUTES) {
      const value = element.getAttribute(name);
      if (value === null || !/\p{L}/u.test(value)) continue;
      spots.push({
        english: pageKey(value),
        shown: value,
        read: () => element.getAttribute(name),
        write: (s) => element.setAttribute(name, s),
      });
    }
  }
  return spots;
}

/**
 * Translates the page now and after every language switch. Call before the
 * views first render, so what they write is theirs.
 */
export function installPageTranslations(root: HTMLElement = document.body): void {
  const spots = collect(root);
  const apply = () => {
    for (const spot of spots) {
      if (spot.read() !== spot.shown) continue; // a view owns it now
      const next = t(spot.english);
      spot.write(next);
      spot.shown = next;
    }
  };
  apply();
  onLocaleChange(apply);
}
