// The replies in progress, app-wide: several conversations can stream at
// once (up to the concurrency limit in Settings; the backend queues the
// rest). Each turn belongs to one view: its conversation once it has one, or
// for a brand-new chat the pane generation it was sent from. The composer is
// busy only when the view on screen has a turn; the sidebar marks every
// conversation with one.

/** Sent, not answered yet; waiting for a concurrency slot; answering. */
export type TurnPhase = "sending" | "queued" | "streaming";

/** What the registry reads of a turn. */
export interface TurnLike {
  /** Null until a new chat's first message is stored. */
  conversationId: number | null;
  /** The pane's generation when it was sent (places a new chat's turn). */
  paneGeneration: number;
  assistantId: number | null;
  phase: TurnPhase;
}

export class TurnRegistry<T extends TurnLike> {
  private readonly turns = new Set<T>();

  /** `onChange(conversationId, phase)`: a conversation's marker changed (null: none). */
  constructor(private readonly onChange: (conversationId: number, phase: TurnPhase | null) => void) {}

  get size(): number {
    return this.turns.size;
  }

  add(turn: T): void {
    this.turns.add(turn);
    this.changed(turn.conversationId);
  }

  remove(turn: T): void {
    if (this.turns.delete(turn)) this.changed(turn.conversationId);
  }

  /** The turn now knows its conversation (a new chat stored) and its phase. */
  update(turn: T, change: { conversationId?: number; phase?: TurnPhase }): void {
    const before = turn.conversationId;
    if (change.conversationId !== undefined) turn.conversationId = change.conversationId;
    if (change.phase !== undefined) turn.phase = change.phase;
    if (before !== null && before !== turn.conversationId) this.changed(before);
    this.changed(turn.conversationId);
  }

  /**
   * The turn the view shows: the open conversation's, or for a new chat
   * (`conversationId` null) the one sent from this pane generation.
   */
  forView(conversationId: number | null, paneGeneration: number): T | undefined {
    for (const t of this.turns) {
      if (conversationId !== null ? t.conversationId === conversationId : t.conversationId === null && t.paneGeneration === paneGeneration) {
        return t;
      }
    }
    return undefined;
  }

  byAssistant(assistantId: number): T | undefined {
    for (const t of this.turns) if (t.assistantId === assistantId) return t;
    return undefined;
  }

  /** A conversation's marker: streaming wins over queued over sending. */
  phaseOf(conversationId: number): TurnPhase | null {
    let best: TurnPhase | null = null;
    for (const t of this.turns) {
      if (t.conversationId !== conversationId) continue;
      if (rank(t.phase) > rank(best)) best = t.phase;
    }
    return best;
  }

  private changed(conversationId: number | null): void {
    if (conversationId !== null) this.onChange(conversationId, this.phaseOf(conversationId));
  }
}

function rank(phase: TurnPhase | null): number {
  return phase === "streaming" ? 3 : phase === "queued" ? 2 : phase === "sending" ? 1 : 0;
}
