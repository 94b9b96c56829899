import { test } from "node:test";
import assert from "node:assert/strict";
import { duplicateKeyReadings, duplicateKeys, keyGate, mayRepeatKey } from "../../src/ingest/agent/ambiguous.ts";

test("duplicateKeys finds keys repeated within one object, at any depth, escaped or not, and nothing else", () => {
  assert.deepEqual(duplicateKeys('{"a":1,"b":{"c":"x","c":["y"]},"d":"{\\"a\\":2}"}'), [{ path: ["b"], key: "c", values: ["x", ["y"]] }]);
  assert.deepEqual(duplicateKeys('{"a":1,"\\u0061":2}'), [{ path: [], key: "a", values: [1, 2] }]);
  assert.deepEqual(duplicateKeys('{"a":[{"b":1},{"b":2}],"c":{"b":1},"e":{"b":2}}'), []);
  assert.deepEqual(duplicateKeys('{"a":"\\"a\\":1,\\"a\\":2"}'), []);
});

test("readings: one per value of each repeated key, the gate skips lines without a repeat", () => {
  const raw = '{"tool_input":{"command":"rm -rf /","command":"ls"}}';
  const r = duplicateKeyReadings(JSON.parse(raw) as Record<string, unknown>, raw, keyGate(["command"]))!;
  assert.deepEqual(r.variants.map((v) => (v.tool_input as { command: string }).command), ["rm -rf /", "ls"]);
  assert.equal(mayRepeatKey('{"tool_input":{"command":"ls"}}', keyGate(["command"])), false);
  assert.equal(mayRepeatKey('{"tool_input":{"command":"ls"},"tool_response":{"stdout":"\\u001b[31mred"}}', keyGate(["command"])), false, "ANSI escapes do not open the scan");
  assert.equal(mayRepeatKey('{"comm\\u0061nd":"x"}', keyGate(["command"])), true);
  const many = `{"x":{${Array.from({ length: 20 }, (_, k) => `"command":${k}`).join(",")}},"y":{${Array.from({ length: 20 }, (_, k) => `"command":${k}`).join(",")}}}`;
  assert.ok(duplicateKeyReadings(JSON.parse(many) as Record<string, unknown>, many, keyGate(["command"]))!.variants.length <= 32);
});
