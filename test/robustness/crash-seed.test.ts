import { test } from "node:test";
import assert from "node:assert/strict";
import { crashSeed, DEFAULT_CRASH_SEED } from "../helpers/crash.ts";

test("the crash test kills at points from a fixed seed unless CRASH_SEED names another; a malformed CRASH_SEED is refused", () => {
  assert.equal(crashSeed({}), DEFAULT_CRASH_SEED);
  assert.equal(crashSeed({}), crashSeed({}), "the same points on every run");
  assert.equal(crashSeed({ CRASH_SEED: "" }), DEFAULT_CRASH_SEED);
  assert.equal(crashSeed({ CRASH_SEED: "4242" }), 4242);
  assert.equal(crashSeed({ CRASH_SEED: "0" }), 0);
  for (const bad of ["-1", "1.5", "abc", "1e3", "12345678901"]) assert.throws(() => crashSeed({ CRASH_SEED: bad }), /CRASH_SEED must be a non-negative integer/, bad);
});
