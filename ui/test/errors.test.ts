import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readFileSync } from "node:fs";
import { CODES, errorHint, formatRetryCountdown, hintOpensSettings, isAppError, toAppError } from "../src/lib/errors";

describe("CODES", () => {
  test("is exactly the ErrorCode that ts-rs generated from Rust", () => {
    const binding = readFileSync("src/bindings/ErrorCode.ts", "utf8") // npm runs tests in ui/;
    const union = binding.slice(binding.indexOf("export type ErrorCode"));
    const generated = [...union.matchAll(/"([a-z_]+)"/g)].map((m) => m[1]).sort();
    assert.ok(generated.length > 10, "the binding was not parsed");
    assert.deepEqual([...CODES].sort(), generated);
  });
});

describe("toAppError", () => {
  test("keeps a well-formed AppError (and only its known fields)", () => {
    const err = { code: "rate_limit", message: "Slow down.", retry_after_secs: 12, request_id: "req_1", extra: 1 };
    assert.deepEqual(toAppError(err), { code: "rate_limit", message: "Slow down.", retry_after_secs: 12, request_id: "req_1" });
  });

  test("turns strings, Errors and odd values into internal errors", () => {
    assert.deepEqual(toAppError("command not found"), { code: "internal", message: "command not found" });
    assert.deepEqual(toAppError(new Error("boom")), { code: "internal", message: "boom" });
    assert.equal(toAppError({ code: "nope", message: "x" }).code, "internal");
    assert.equal(toAppError(undefined).code, "internal");
    assert.ok(toAppError(undefined).message.length > 0);
  });

  test("drops a non-numeric retry_after_secs", () => {
    assert.deepEqual(toAppError({ code: "rate_limit", message: "m", retry_after_secs: "soon" }), { code: "rate_limit", message: "m" });
  });

  test("isAppError", () => {
    assert.equal(isAppError({ code: "auth", message: "m" }), true);
    assert.equal(isAppError({ code: "auth" }), false);
    assert.equal(isAppError(null), false);
  });
});

describe("errorHint", () => {
  test("auth and config point to the settings, which the banner offers to open", () => {
    assert.match(errorHint("auth") ?? "", /Open Settings.*API key/);
    assert.match(errorHint("config") ?? "", /Open Settings.*API key/);
    assert.equal(hintOpensSettings("auth"), true);
    assert.equal(hintOpensSettings("config"), true);
    assert.equal(hintOpensSettings("rate_limit"), false);
    assert.equal(errorHint("invalid_request"), null);
  });
});

describe("formatRetryCountdown", () => {
  test("counts down in seconds, then minutes", () => {
    assert.equal(formatRetryCountdown(12.2), "You can retry in 13 s.");
    assert.equal(formatRetryCountdown(59), "You can retry in 59 s.");
    assert.equal(formatRetryCountdown(65), "You can retry in 1:05.");
    assert.equal(formatRetryCountdown(0), "You can retry now.");
    assert.equal(formatRetryCountdown(-3), "You can retry now.");
  });
});
