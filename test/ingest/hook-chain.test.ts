import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import path from "node:path";
import { rmSync } from "node:fs";
import { verifyChain, type ChainFile } from "../../src/ingest/agent/hook-chain.ts";
import agentHookLogChainIntact from "../../src/rules/agent-hook-log-chain-intact.ts";
import { FileWriter, openStore } from "../../src/store/index.ts";
import { event, runRuleOn } from "../helpers/rule-tester.ts";
import { tempDir } from "../helpers/workspace.ts";

/** Chains built the way bin/evidence-hook.js writes them, then damaged one way each. */
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

function chain(days: Record<string, number>, first: string | null = null): ChainFile[] {
  let prev = first;
  return Object.entries(days).map(([day, n]) => {
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      const line = JSON.stringify({ hook_event_name: "PreToolUse", n: `${day}/${i}`, timestamp: `${day}T10:00:00.000Z`, prev });
      lines.push(line);
      prev = sha(line);
    }
    return { path: `hooks/cursor/${day}.jsonl`, content: Buffer.from(`${lines.join("\n")}\n`) };
  });
}

const kinds = (files: ChainFile[]) => verifyChain("hooks/cursor/", files).problems.map((p) => [p.kind, p.file.slice(13), p.line]);

test("an intact chain has no problems and says where it starts; one entering from an uncollected file says so", () => {
  const r = verifyChain("hooks/cursor/", chain({ "2026-10-01": 3, "2026-10-02": 2 }));
  assert.deepEqual([r.files, r.lines, r.problems, r.notes], [2, 5, [], ["the chain starts at 2026-10-01.jsonl line 1"]]);
  assert.deepEqual(verifyChain("hooks/cursor/", chain({ "2026-10-01": 2 }, sha("september"))).notes, ["2026-10-01.jsonl line 1 links to a line in an earlier file that was not collected"]);
});

test("a restarted chain, a line without a link and a file without a final newline", () => {
  const files = chain({ "2026-10-01": 2, "2026-10-02": 2 });
  const restarted = chain({ "2026-10-02": 2 });
  assert.deepEqual(kinds([files[0]!, restarted[0]!]), [["restarted", "2026-10-02.jsonl", 1]]);
  const inserted = { ...files[1]!, content: Buffer.from(`{"hook_event_name":"x"}\n${files[1]!.content.toString()}`) };
  assert.deepEqual(kinds([files[0]!, inserted]), [["unlinked-line", "2026-10-02.jsonl", 1], ["broken-link", "2026-10-02.jsonl", 2]]);
  const unterminated = { ...files[1]!, content: files[1]!.content.subarray(0, -1) };
  assert.deepEqual(kinds([files[0]!, unterminated]), []);
});

test("with no chained log the rule is no-evidence, not a pass", (t) => {
  const dir = tempDir("evidence-chain-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = openStore(path.join(dir, "e.db"));
  t.after(() => db.close());
  const w = new FileWriter(db, { source: "c", path: "x", kind: "cursor-hooks", sha256: "0", size: 0, parser: "cursor-hooks", parserVersion: "1", contextHash: "x", ingestedAt: "x" });
  w.event(event({ sourceKind: "agent-log", action: "Shell" }));
  w.commit();
  const run = runRuleOn(agentHookLogChainIntact, db);
  assert.equal(run.outcome, "no-evidence");
  assert.match(run.results[0]!.message, /evidence hook install/);
});
