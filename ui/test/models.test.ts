import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { catalogueNotice, modelChoices } from "../src/lib/models";
import type { ModelInfo } from "../src/types";

const m = (id: string, messages_api = true, display_name = id.toUpperCase()): ModelInfo => ({ id, display_name, messages_api });

describe("modelChoices", () => {
  test("Messages API models only, labelled by display name", () => {
    assert.deepEqual(modelChoices([m("a"), m("img", false), m("b", true, "")], []), [
      { id: "a", label: "A" },
      { id: "b", label: "b" },
    ]);
  });

  test("everything when no model is usable", () => {
    assert.deepEqual(modelChoices([m("x", false)], []).map((c) => c.id), ["x"]);
  });

  test("models to keep that the list lacks come first, once", () => {
    assert.deepEqual(modelChoices([m("a")], ["default", "old", "a", "default", null, undefined, ""]).map((c) => c.id), [
      "old",
      "default",
      "a",
    ]);
    assert.deepEqual(modelChoices([], ["d"]), [{ id: "d", label: "d" }]);
  });
});

describe("catalogueNotice", () => {
  test("only the built-in list gets a notice, with the backend's warning", () => {
    assert.equal(catalogueNotice({ models: [m("a")], source: "live" }), null);
    assert.equal(catalogueNotice({ models: [m("a")], source: "cached" }), null);
    assert.equal(
      catalogueNotice({ models: [m("a")], source: "builtin", warning: "Could not list the models." }),
      "Could not list the models.",
    );
    assert.match(catalogueNotice({ models: [m("a")], source: "builtin" }) ?? "", /built-in list/);
  });
});
