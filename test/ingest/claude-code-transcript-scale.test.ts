import { test } from "node:test";
import assert from "node:assert/strict";
import { createWriteStream, rmSync } from "node:fs";
import path from "node:path";
import { once } from "node:events";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createClaudeCodeTranscriptParser } from "../../src/ingest/agent/claude-code-transcript.ts";
import { parserInput } from "../../src/ingest/files.ts";
import { testContext } from "../helpers/parse.ts";
import { tempDir } from "../helpers/workspace.ts";

/** Claude Code transcripts at scale (the format's behaviour: claude-code-transcript.test.ts). */
test("a 50 MB transcript streams with bounded memory", async (t) => {
  const dir = tempDir("transcript-big-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "big.jsonl");
  const out = createWriteStream(file);
  const pad = "x".repeat(600);
  let bytes = 0;
  let calls = 0;
  for (let i = 0; bytes < 50 * 1024 * 1024; i++) {
    const use = JSON.stringify({ type: "assistant", uuid: `a${i}`, sessionId: "big", cwd: "/home/dev/app", timestamp: "2026-10-14T10:00:00.000Z", message: { role: "assistant", content: [{ type: "text", text: pad }, { type: "tool_use", id: `toolu_${i}`, name: "Bash", input: { command: `ls -la dir${i}` } }] } }) + "\n";
    const res = JSON.stringify({ type: "user", uuid: `r${i}`, sessionId: "big", timestamp: "2026-10-14T10:00:01.000Z", message: { role: "user", content: [{ type: "tool_result", tool_use_id: `toolu_${i}`, content: pad }] } }) + "\n";
    bytes += use.length + res.length;
    calls++;
    if (!out.write(use + res)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  // Retained heap, measured after a forced collection at ten points through the file.
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  gc();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  let n = 0;
  const every = Math.floor(calls / 10);
  const parser = createClaudeCodeTranscriptParser(testContext());
  for await (const item of parser.parse(parserInput(dir, file))) {
    if (item.kind !== "event" || item.event.action.startsWith("session:")) continue;
    n++;
    if (n % every === 0) {
      gc();
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
  }
  assert.equal(n, calls);
  const grewMb = (peak - before) / 1024 / 1024;
  console.log(`# 50 MB transcript: ${calls} calls, heap grew ${grewMb.toFixed(1)} MB`);
  // Reading it whole would need > 50 MB for the text alone; streaming holds calls in flight and a uuid window.
  assert.ok(grewMb < 16, `heap grew ${grewMb.toFixed(1)} MB`);
});
