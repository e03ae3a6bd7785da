import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TurnRegistry, type TurnLike, type TurnPhase } from "../src/lib/turns";

function turn(conversationId: number | null, paneGeneration: number, phase: TurnPhase = "sending"): TurnLike {
  return { conversationId, paneGeneration, assistantId: null, phase };
}

function registry() {
  const marks: [number, TurnPhase | null][] = [];
  const r = new TurnRegistry<TurnLike>((id, phase) => marks.push([id, phase]));
  return { r, marks };
}

describe("TurnRegistry", () => {
  test("a turn belongs to its conversation's view, whatever the pane generation", () => {
    const { r } = registry();
    const a = turn(1, 4);
    r.add(a);
    assert.equal(r.forView(1, 9), a);
    assert.equal(r.forView(2, 4), undefined);
    assert.equal(r.forView(null, 4), undefined, "a new chat is not conversation 1's view");
  });

  test("a new chat's turn belongs to the pane generation it was sent from, until stored", () => {
    const { r, marks } = registry();
    const t = turn(null, 7);
    r.add(t);
    assert.equal(r.forView(null, 7), t);
    assert.equal(r.forView(null, 8), undefined, "another new chat is free to send");
    assert.deepEqual(marks, [], "nothing to mark in the sidebar yet");
    r.update(t, { conversationId: 12, phase: "streaming" });
    assert.equal(r.forView(null, 7), undefined);
    assert.equal(r.forView(12, 0), t);
    assert.deepEqual(marks, [[12, "streaming"]]);
  });

  test("two conversations stream at once, each marked and cleared on its own", () => {
    const { r, marks } = registry();
    const a = turn(1, 0, "streaming");
    const b = turn(2, 0, "queued");
    r.add(a);
    r.add(b);
    assert.equal(r.size, 2);
    assert.equal(r.phaseOf(1), "streaming");
    assert.equal(r.phaseOf(2), "queued");
    r.update(b, { phase: "streaming" });
    r.remove(a);
    r.remove(a); // a second end of the same turn changes nothing
    assert.equal(r.phaseOf(1), null);
    assert.equal(r.forView(2, 0), b);
    assert.deepEqual(marks, [
      [1, "streaming"],
      [2, "queued"],
      [2, "streaming"],
      [1, null],
    ]);
  });

  test("the marker shows the most active turn of a conversation", () => {
    const { r } = registry();
    const queued = turn(3, 0, "queued");
    const streaming = turn(3, 1, "streaming");
    r.add(queued);
    r.add(streaming);
    assert.equal(r.phaseOf(3), "streaming");
    r.remove(streaming);
    assert.equal(r.phaseOf(3), "queued");
  });

  test("found by its reply, for the reply's own Stop button", () => {
    const { r } = registry();
    const a = turn(1, 0);
    a.assistantId = 41;
    r.add(a);
    assert.equal(r.byAssistant(41), a);
    assert.equal(r.byAssistant(42), undefined);
  });
});
