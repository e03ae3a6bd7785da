import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Latest, debounce, isNearBottom, provisionalTitle } from "../src/lib/util";

describe("isNearBottom", () => {
  test("within the slack of the bottom", () => {
    assert.equal(isNearBottom({ scrollTop: 600, scrollHeight: 1000, clientHeight: 400 }), true);
    assert.equal(isNearBottom({ scrollTop: 570, scrollHeight: 1000, clientHeight: 400 }), true);
    assert.equal(isNearBottom({ scrollTop: 500, scrollHeight: 1000, clientHeight: 400 }), false);
    assert.equal(isNearBottom({ scrollTop: 0, scrollHeight: 300, clientHeight: 400 }), true, "no overflow");
  });
});

describe("debounce", () => {
  test("calls once with the last arguments", async () => {
    const calls: string[] = [];
    const d = debounce((q: string) => calls.push(q), 20);
    d("a");
    d("ab");
    d("abc");
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(calls, ["abc"]);
  });
  test("cancel drops the pending call", async () => {
    const calls: string[] = [];
    const d = debounce((q: string) => calls.push(q), 10);
    d("x");
    d.cancel();
    await new Promise((r) => setTimeout(r, 40));
    assert.deepEqual(calls, []);
  });
});

describe("Latest", () => {
  test("only the newest token is current", () => {
    const l = new Latest();
    const a = l.next();
    const b = l.next();
    assert.equal(l.isCurrent(a), false);
    assert.equal(l.isCurrent(b), true);
  });
});

describe("provisionalTitle", () => {
  test("the first line, shortened", () => {
    assert.equal(provisionalTitle("  Hello there\nsecond line"), "Hello there");
    assert.equal(provisionalTitle("   \n  "), "New chat");
    const long = provisionalTitle("x".repeat(100), 10);
    assert.equal(long, "xxxxxxxxx…");
  });
});
