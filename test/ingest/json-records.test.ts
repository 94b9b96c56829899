import { test } from "node:test";
import assert from "node:assert/strict";
import { ArrayObjectStream, firstValueEndsOnItsLine, JsonValueStream, splitArrayObjects, splitJsonValues, startsWithSeveralValues } from "../../src/ingest/json-records.ts";

test("splitJsonValues: NDJSON line by line, documents back to back, junk to the end of its line, a value left open", () => {
  assert.deepEqual(splitJsonValues('{"a":1}\n{"b":[2,"}"]}{"c":3}\nnot json\n{"d":'), [
    { kind: "value", line: 1, text: '{"a":1}' },
    { kind: "value", line: 2, text: '{"b":[2,"}"]}' },
    { kind: "value", line: 2, text: '{"c":3}' },
    { kind: "junk", line: 3, text: "not json" },
    { kind: "incomplete", line: 4, text: '{"d":' },
  ]);
  // Pretty-printed: values span lines, and one left open runs to the end of the text.
  assert.deepEqual(splitJsonValues('{\n  "a": "x\\"}"\n}\n{\n  "b":'), [
    { kind: "value", line: 1, text: '{\n  "a": "x\\"}"\n}' },
    { kind: "incomplete", line: 4, text: '{\n  "b":' },
  ]);
  assert.equal(firstValueEndsOnItsLine('  {"a":1}\n{'), true);
  assert.equal(firstValueEndsOnItsLine('{\n"a":1}'), false);
  assert.equal(startsWithSeveralValues('{"a":1} {"b"'), true);
  assert.equal(startsWithSeveralValues('{"a":1}\n  '), false);
});

test("JsonValueStream steps into a top-level array: elements one by one with their index and line, across chunks", () => {
  const stream = new JsonValueStream(false, { firstLine: 3, stepIntoArray: true });
  const spans = [...stream.push('[\n  {"a": 1},\n  {"b"'), ...stream.push(': "]"},\n  7\n]\n{"c": 2}\n'), ...stream.end()];
  assert.deepEqual(spans, [
    { kind: "value", line: 4, text: '{"a": 1}', index: 0 },
    { kind: "value", line: 5, text: '{"b": "]"}', index: 1 },
    { kind: "junk", line: 6, text: "7" },
    { kind: "value", line: 8, text: '{"c": 2}' },
  ]);
});

function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

test("a value pushed a line at a time costs its length, not its length times its lines (2n lines < 3x n lines)", () => {
  const feed = (n: number) => {
    const stream = new JsonValueStream(false);
    const line = `  "key": "${"v".repeat(40)}",\n`;
    stream.push("{\n");
    for (let i = 0; i < n; i++) stream.push(line);
    const [span] = stream.push('"end": 1}\n');
    assert.equal(span?.kind, "value");
  };
  feed(2_000); // warm-up
  // The smallest of three runs: the machine is shared.
  const best = (n: number) => Math.min(...[0, 1, 2].map(() => cpuMs(() => feed(n))));
  const small = best(20_000);
  const large = best(40_000);
  assert.ok(large < 3 * small + 20, `40 000 lines took ${large.toFixed(0)} ms of CPU against ${small.toFixed(0)} ms for 20 000`);
});

test("splitArrayObjects: stray elements are skipped without swallowing the records after them; a cut-off element is returned", () => {
  const doc = '{"Records":[{"a":1}, 5, "x{y", {"b":"]"}], "after": {"c": 3}}';
  assert.deepEqual(splitArrayObjects(doc, "Records"), { objects: ['{"a":1}', '{"b":"]"}'] });
  assert.deepEqual(splitArrayObjects('{"Records":[{"a":1},{"b":', "Records"), { objects: ['{"a":1}'], incomplete: '{"b":' });
  assert.deepEqual(splitArrayObjects('{"Records":[{"a":1},', "Records"), { objects: ['{"a":1}'], incomplete: "" });
  assert.deepEqual(splitArrayObjects('{"Events":[]}', "Records"), { objects: [], noArray: true });
  // Fed in chunks that cut the key and an element in two.
  const stream = new ArrayObjectStream("Records");
  const parts = ['{"Rec', 'ords": [ {"a": "}"', '}, {"b": 2} ] }'].flatMap((c) => stream.push(c));
  assert.deepEqual(parts, ['{"a": "}"}', '{"b": 2}']);
  assert.deepEqual(stream.end(), { noArray: false, incomplete: false, closed: true, openText: "" });
});
