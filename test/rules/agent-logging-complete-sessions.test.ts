import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/config.ts";
import type { RuleRun } from "../../src/evaluate.ts";
import { ingestSources } from "../../src/ingest/index.ts";
import { createProgress } from "../../src/progress.ts";
import agentLoggingComplete from "../../src/rules/agent-logging-complete.ts";
import { FileWriter, openStore } from "../../src/store/index.ts";
import { withRegisters } from "../helpers/registers.ts";
import { event, runRuleOn } from "../helpers/rule-tester.ts";
import { tempDir } from "../helpers/workspace.ts";

/**
 * Cut-off sessions, cut-off transcripts and silences before agent actions, from real log files
 * ingested into a real store (test/fixtures/logging-completeness/).
 */
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "logging-completeness");
const INVENTORY = `tools:
  - { product: claude-code, owner: team@acme.example, environments: [non-production], permissionBoundary: { permitted: [read] } }
  - { product: cursor, owner: team@acme.example, environments: [non-production], permissionBoundary: { permitted: [read] } }
`;

async function ruleOn(t: { after: (fn: () => void) => void }, files: Record<string, string>): Promise<RuleRun> {
  const dir = tempDir("evidence-logging-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [to, from] of Object.entries(files)) {
    mkdirSync(path.join(dir, path.dirname(to)), { recursive: true });
    copyFileSync(path.join(FIXTURES, from), path.join(dir, to));
  }
  writeFileSync(path.join(dir, "evidence.config.yaml"), `organisation: { name: Test }
sources:
  - { name: cursor, kind: cursor-hooks, paths: ["logs/cursor/*.jsonl"] }
  - { name: claude-hooks, kind: claude-code-hooks, paths: ["logs/claude/*.jsonl"] }
  - { name: transcripts, kind: agent-logs, paths: ["logs/transcripts/*.jsonl"] }
agents:
  - { id: claude-code, product: claude-code }
  - { id: cursor, product: cursor }
`);
  const db = openStore(path.join(dir, "evidence.db"));
  t.after(() => db.close());
  await ingestSources(db, loadConfig(path.join(dir, "evidence.config.yaml")), { cacheDir: path.join(dir, ".cache"), now: new Date("2026-11-01T00:00:00Z"), progress: createProgress({ quiet: true }) });
  withRegisters(db, { aiTools: INVENTORY });
  return runRuleOn(agentLoggingComplete, db);
}
const fails = (r: RuleRun, pattern: RegExp) => r.results.filter((x) => x.outcome === "fail" && pattern.test(x.message));
const figures = (r: RuleRun, key: string) => r.items!.find((i) => i.key === key)!;

test("agent-logging-complete: a Cursor session with a tool call and no stop after it is cut off; one still open at the period end is not", async (t) => {
  const r = await ruleOn(t, { "logs/cursor/hooks.jsonl": "cursor-cut-off-session.jsonl" });
  const cut = fails(r, /cut off/);
  assert.deepEqual(cut.map((f) => f.subject), ["cursor session c-cut"]);
  assert.match(cut[0]!.message, /^cursor session c-cut of sam\.okafor@acme\.example made 2 tool calls, the last at 2026-10-15T10:05:02\.000Z \(logs\/cursor\/hooks\.jsonl lines 12, 13\), but its log has no end record/);
  assert.equal(cut[0]!.evidence[0]!.file, "logs/cursor/hooks.jsonl");
  // The rows of the table carry the count and the verdict, and cite the finding's evidence.
  const tool = figures(r, "tool:cursor");
  assert.equal(tool.figures?.cutOffSessions, 1);
  assert.equal(tool.result, "exception");
  assert.equal(tool.evidence?.ref, cut[0]!.evidence[0]!.ref);
  assert.equal(figures(r, "person:cursor:sam.okafor@acme.example").figures?.cutOffSessions, 1);
});

test("agent-logging-complete: sessions of a source that never logged an end (no Stop/SessionEnd hook installed) are not judged cut off", async (t) => {
  const r = await ruleOn(t, { "logs/claude/hooks.jsonl": "claude-code-no-end-hooks.jsonl" });
  assert.deepEqual(fails(r, /cut off/), []);
  assert.equal(figures(r, "tool:claude-code").figures?.cutOffSessions, 0);
});

test("agent-logging-complete: a transcript whose last line is truncated is a finding naming the file and line", async (t) => {
  const r = await ruleOn(t, { "logs/transcripts/5b0c1d2e-0000-4000-a000-000000000001.jsonl": "transcript-truncated.jsonl" });
  const cut = fails(r, /is cut off at/);
  assert.equal(cut.length, 1, JSON.stringify(r.results));
  assert.match(cut[0]!.message, /^Agent log logs\/transcripts\/5b0c1d2e-0000-4000-a000-000000000001\.jsonl \(claude-code\) is cut off at line 20: its last line is not valid JSON/);
  assert.deepEqual(cut[0]!.evidence.map((e) => `${e.file} ${e.locator}`), ["logs/transcripts/5b0c1d2e-0000-4000-a000-000000000001.jsonl line 20"]);
  assert.equal(figures(r, "tool:claude-code").figures?.cutOffFiles, 1);
  assert.equal(figures(r, "tool:claude-code").result, "exception");
});

test("agent-logging-complete: the untruncated transcript (a bad line before its end) is not cut off", async (t) => {
  const r = await ruleOn(t, { "logs/transcripts/5b0c1d2e-0000-4000-a000-000000000001.jsonl": "../claude-code/transcript.jsonl" });
  assert.deepEqual(fails(r, /cut off/), []);
});

test("agent-logging-complete: a silence over the threshold that ends in an agent action is a finding; a prompt after a pause or a long command is not", async (t) => {
  const r = await ruleOn(t, { "logs/cursor/hooks.jsonl": "cursor-silence.jsonl" });
  const silent = fails(r, /no record for more than/);
  assert.deepEqual(silent.map((f) => f.message), [
    "cursor session c-silent of sam.okafor@acme.example has no record for more than 60 minutes before an agent action with no prompt in between (2026-10-22T09:01:01.000Z to 2026-10-22T11:30:00.000Z (149 min)): an agent acts on a prompt, so it worked in that time without leaving records, or its records did not reach the store.",
  ]);
  const person = figures(r, "person:cursor:sam.okafor@acme.example");
  assert.deepEqual([person.figures?.silences, person.figures?.silentMinutes, person.result], [1, 149, "exception"]);
  // The agent row's only problem is the silence: it cites the silence finding's evidence.
  const tool = figures(r, "tool:cursor");
  assert.deepEqual([tool.figures?.silences, tool.result, tool.evidence?.ref], [1, "exception", silent[0]!.evidence[0]!.ref]);
});

test("agent-logging-complete: a line that is not valid JSON with records after it is a reject, not a cut-off file", async (t) => {
  const r = await ruleOn(t, { "logs/cursor/hooks.jsonl": "cursor-bad-middle-line.jsonl" });
  assert.deepEqual(fails(r, /is cut off at/), []);
  assert.equal(figures(r, "tool:cursor").figures?.cutOffFiles, 0);
});

test("agent-logging-complete: time grows linearly with the rejects of a file (twice the bad lines take under three times the CPU; pairwise would take four)", (t) => {
  const cpu = (n: number) => {
    const db = openStore(path.join(tempDir("evidence-logging-scale-"), "evidence.db"));
    t.after(() => {
      db.close();
      rmSync(path.dirname(db.name), { recursive: true, force: true });
    });
    const writer = new FileWriter(db, { source: "s", path: "bad.jsonl", kind: "cursor-hooks", sha256: "0".repeat(64), size: 0, parser: "p", parserVersion: "1", contextHash: "x", ingestedAt: "2026-11-01T00:00:00.000Z" });
    writer.event(event({ eventKey: "ok", locator: "line 1" }));
    for (let i = 2; i <= n; i++) writer.reject({ locator: `line ${i}`, reason: "not valid JSON (Unexpected end of JSON input)" });
    writer.commit();
    withRegisters(db, { aiTools: INVENTORY });
    const before = process.cpuUsage();
    const r = runRuleOn(agentLoggingComplete, db);
    const used = process.cpuUsage(before);
    assert.equal(fails(r, /is cut off at line \d+:/).length, 1);
    return used.user + used.system;
  };
  cpu(2_000);
  const small = cpu(20_000), large = cpu(40_000);
  assert.ok(large < small * 3, `20,000 rejects took ${small} µs, 40,000 took ${large} µs`);
});
