import { test } from "node:test";
import assert from "node:assert/strict";
import { createWriteStream, writeFileSync } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import { createGzip } from "node:zlib";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { createClaudeCodeHooksParser } from "../../src/ingest/agent/claude-code-hooks.ts";
import { jsonRecords } from "../../src/ingest/agent/records.ts";
import { parserInput } from "../../src/ingest/files.ts";
import { exceedsDepth, MAX_JSON_DEPTH, parseJson } from "../../src/ingest/json.ts";
import { boundedLines, DEFAULT_INPUT_LIMITS, LineTooLong } from "../../src/ingest/lines.ts";
import { parseFile, testContext } from "../helpers/parse.ts";
import { tempDir } from "../helpers/workspace.ts";

const HOOK = (id: string) =>
  JSON.stringify({ hook_event_name: "PostToolUse", session_id: "s1", tool_name: "Bash", tool_use_id: id, tool_input: { command: "ls" }, timestamp: "2026-10-14T09:12:03Z" });

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const flat = async <T>(it: AsyncIterable<T[]>): Promise<T[]> => (await collect(it)).flat();

async function* chunks(parts: string[]): AsyncIterable<Buffer> {
  for (const p of parts) yield Buffer.from(p);
}

test("lines split on LF and CRLF across chunk boundaries; multi-byte characters survive a split", async () => {
  const euro = Buffer.from("€");
  async function* split(): AsyncIterable<Buffer> {
    yield Buffer.from("a\r");
    yield Buffer.from("\nb");
    yield Buffer.concat([Buffer.from("\n"), euro.subarray(0, 1)]);
    yield Buffer.concat([euro.subarray(1), Buffer.from("\n\nlast")]);
  }
  assert.deepEqual(await flat(boundedLines(split())), ["a", "b", "€", "", "last"]);
});

test("a line over the cap is reported with its length and not kept; the lines around it are intact", async () => {
  const lines = await flat(boundedLines(chunks(["short\n", "x".repeat(700), "y".repeat(700), "\nafter\n"]), 1000));
  assert.equal(lines[0], "short");
  assert.ok(lines[1] instanceof LineTooLong);
  assert.equal((lines[1] as LineTooLong).chars, 1400);
  assert.match((lines[1] as LineTooLong).message, /line of 1400 characters, over the 1000-character limit; skipped/);
  assert.equal(lines[2], "after");
});

/** Writes `size` bytes of one JSON string value as a single line without holding it in memory. */
async function writeHugeLine(file: string, size: number, before: string, after: string): Promise<void> {
  const out = createWriteStream(file);
  out.write(`${before}\n{"hook_event_name":"PostToolUse","tool_output":"`);
  const block = "A".repeat(1 << 20);
  for (let written = 0; written < size; written += block.length) if (!out.write(block)) await once(out, "drain");
  out.end(`"}\n${after}\n`);
  await once(out, "finish");
}

const HUGE = process.env.SOAK ? 200 * 1024 * 1024 : DEFAULT_INPUT_LIMITS.maxLineChars + (1 << 20);

test(`a ${Math.round(HUGE / 2 ** 20)} MiB single line becomes one reject, in bounded memory, and the lines after it are read`, async () => {
  const dir = tempDir();
  await writeHugeLine(path.join(dir, "huge.jsonl"), HUGE, HOOK("t1"), HOOK("t2"));
  const heapBefore = process.memoryUsage().heapUsed;
  const parsed = await parseFile(createClaudeCodeHooksParser(testContext()), dir, "huge.jsonl");
  const grown = process.memoryUsage().heapUsed - heapBefore;
  assert.deepEqual(parsed.events.map((e) => e.eventKey.endsWith("t1") || e.eventKey.endsWith("t2")), [true, true]);
  assert.equal(parsed.rejects.length, 1);
  assert.equal(parsed.rejects[0]!.locator, "line 2");
  assert.match(parsed.rejects[0]!.reason, /over the \d+-character limit; skipped/);
  assert.ok(grown < 2 * DEFAULT_INPUT_LIMITS.maxLineChars + (64 << 20), `heap grew ${grown} bytes`);
});

/** A gzip of `size` newlines, streamed: ~1000x compression, the shape of a decompression bomb. */
async function writeBomb(file: string, size: number): Promise<void> {
  const block = Buffer.alloc(1 << 20, 0x0a);
  await pipeline(
    Readable.from((function* () {
      for (let n = 0; n < size; n += block.length) yield block;
    })()),
    createGzip({ level: 9 }),
    createWriteStream(file),
  );
}

test("a gzip bomb is refused by the inflation cap while streaming, after the records before it", async () => {
  const dir = tempDir();
  const file = path.join(dir, "bomb.jsonl.gz");
  await writeBomb(file, 24 << 20);
  const records = await collect(jsonRecords(parserInput(dir, file)));
  assert.equal(records.length, 1);
  assert.match(records[0]!.error ?? "", /^refused part-way: bomb\.jsonl\.gz: decompresses to more than \d+ bytes from the first \d+ compressed bytes \(over 200x, or over \d+ bytes\): a gzip bomb/);
});

test("whole-file reads of a gzip bomb are refused with an error naming the file", async () => {
  const dir = tempDir();
  const file = path.join(dir, "bomb.json.gz");
  await writeBomb(file, 8 << 20);
  const input = parserInput(dir, file, { ...DEFAULT_INPUT_LIMITS, gzipRatioFloorBytes: 1 << 20 });
  await assert.rejects(input.readAll(), (e: Error) => e.name === "InputError" && /^bomb\.json\.gz: decompresses to more than \d+ bytes from the first \d+ compressed bytes \(over 200x.*gzip bomb/.test(e.message));
});

test("an ordinary gzip log is not mistaken for a bomb", async () => {
  const dir = tempDir();
  const file = path.join(dir, "ok.jsonl");
  writeFileSync(file, Array.from({ length: 2000 }, (_, i) => HOOK(`t${i}`)).join("\n"));
  await pipeline(Readable.from([Buffer.from(Array.from({ length: 2000 }, (_, i) => HOOK(`t${i}`)).join("\n"))]), createGzip(), createWriteStream(`${file}.gz`));
  const input = parserInput(dir, `${file}.gz`, { ...DEFAULT_INPUT_LIMITS, gzipRatioFloorBytes: 1 << 10 });
  assert.equal((await collect(jsonRecords(input))).filter((r) => r.value).length, 2000);
  assert.ok((await input.readAll()).text.length > 100_000);
});

test("JSON nested deeper than the cap is a SyntaxError (a reject), not a stack overflow later", () => {
  const nest = (d: number) => "[".repeat(d) + "]".repeat(d);
  assert.equal((parseJson(nest(MAX_JSON_DEPTH)) as unknown[]).length, 1);
  assert.throws(() => parseJson(nest(MAX_JSON_DEPTH + 1)), (e: Error) => e instanceof SyntaxError && /nested deeper than 512 levels/.test(e.message));
  assert.throws(() => parseJson(`{"a":${nest(100_000)}}`), SyntaxError);
  assert.equal(exceedsDepth({ a: [{ b: 1 }] }, 3), false);
  assert.equal(exceedsDepth({ a: [{ b: {} }] }, 3), true);
});
