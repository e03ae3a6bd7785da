// One-click analyses (#analyses, a group above the composer's text): while
// files are attached, a button for each preset offered for them ("Document
// analyst" for any file, "Code reviewer" for source code; lib/presets.ts).
// A click fills the composer with the preset's question, editable and
// focused, and makes the next message set the preset's system prompt.

import { el } from "../dom";
import { offeredPresets, presetDisplayName, presetQuestion } from "../lib/presets";
import type { AttachmentDraft, Preset } from "../types";

export interface AnalysesOptions {
  group: HTMLElement;
  onChoose(preset: Preset): void;
}

export class Analyses {
  private presets: Preset[] = [];
  private drafts: AttachmentDraft[] = [];
  private busy = false;

  constructor(private readonly o: AnalysesOptions) {
    o.group.hidden = true;
    o.group.addEventListener("click", (event) => {
      const button = event.target instanceof Element ? event.target.closest<HTMLButtonElement>("button[data-preset]") : null;
      const preset = this.presets.find((p) => p.id === button?.dataset.preset);
      if (preset && !this.busy) o.onChoose(preset);
    });
  }

  setPresets(presets: Preset[]): void {
    this.presets = presets;
    this.render();
  }

  /** The drafts attached now (their kinds decide what is offered). */
  setDrafts(drafts: AttachmentDraft[]): void {
    this.drafts = drafts;
    this.render();
  }

  setBusy(busy: boolean): void {
    this.busy = busy;
    for (const b of this.o.group.querySelectorAll("button")) b.disabled = busy;
  }

  /** Renders the buttons again (after a language switch). */
  render(): void {
    const offered = offeredPresets(
      this.presets,
      this.drafts.map((d) => d.summary.kind.type),
    );
    const buttons = offered.map((p) => {
      const b = el("button", {
        className: "analysis",
        text: presetDisplayName(p),
        attrs: { type: "button", title: presetQuestion(p) },
        dataset: { preset: p.id },
      });
      b.disabled = this.busy;
      return b;
    });
    this.o.group.replaceChildren(...buttons);
    this.o.group.hidden = buttons.length === 0;
  }
}
