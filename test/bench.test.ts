import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { formatTable, runBench, type BenchReport } from "../bench/index.ts";
import { scalingSvg } from "../bench/plot.ts";
import { tempDir } from "./helpers/workspace.ts";

// The harness must keep working (npm run bench); it reports times and asserts none.
test("npm run bench: stages run in child processes at a tiny size and report a table and JSON", async () => {
  const out = tempDir("evidence-bench-test-");
  const report = await runBench({ size: "tiny", stages: ["cloudtrail", "agent-logs", "build"], outDir: out });
  assert.deepEqual(report.stages.map((s) => s.stage), ["cloudtrail", "agent-logs", "build"]);
  const [ct, agent, build] = report.stages as [BenchReport["stages"][number], BenchReport["stages"][number], BenchReport["stages"][number]];
  assert.equal(ct.input, 2000);
  assert.equal(ct.unit, "events");
  assert.equal(build.input, 2000 + 2000 + 200);
  for (const s of report.stages) {
    assert.ok(s.wallSeconds > 0 && s.peakRssMb > 20, `${s.stage}: ${s.wallSeconds} s, ${s.peakRssMb} MB`);
    assert.equal(s.throughput, Math.round(s.input / s.wallSeconds));
  }
  // The parse floor read every record of the same files (parseFloor throws on a different count).
  assert.ok(ct.notes.some((n) => /^parse floor \(gunzip \+ JSON\.parse only, \d+ threads, nothing stored\): [\d.]+ s, [\d.]+ s CPU = [\d,]+ events\/s$/.test(n)), ct.notes.join("; "));
  assert.ok(ct.notes.some((n) => /^ingest \/ parse floor: [\d.]+x by wall, [\d.]+x by CPU/.test(n)), ct.notes.join("; "));
  // The CloudTrail store floor inserted again every row and count the ingest stored: 2,000 calls make some of each.
  const ctFloor = /^store floor \(the (\d+) rows and (\d+) counts inserted again by the writer alone\): [\d.]+ s, [\d.]+ s CPU \(rows [\d.]+, counts [\d.]+\)$/.exec(ct.notes.find((n) => n.startsWith("store floor")) ?? "");
  assert.ok(ctFloor && Number(ctFloor[1]) > 0 && Number(ctFloor[2]) > 0, ct.notes.join("; "));
  assert.ok(agent.notes.some((n) => /^floor on \d+ threads \(.*\): [\d.]+ s, [\d.]+ s CPU$/.test(n)), agent.notes.join("; "));
  // The writer's floor inserted every action the agent-log ingest stored (1,000 pre/post pairs).
  assert.equal(agent.input, 2000);
  assert.ok(agent.notes.some((n) => /^store floor \(the 1000 stored rows inserted again by the writer alone\): [\d.]+ s = [\d,]+ events\/s$/.test(n)), agent.notes.join("; "));
  if (ct.baseline && ct.baseline.seconds > 0) assert.equal(ct.ratio, Math.round((ct.wallSeconds / ct.baseline.seconds) * 100) / 100);
  const saved = JSON.parse(readFileSync(path.join(out, "results-tiny.json"), "utf8")) as BenchReport;
  assert.deepEqual(saved.stages, report.stages);
  assert.equal(saved.machine.availableParallelism > 0, true);
  const table = formatTable(report).split("\n");
  assert.match(table[0]!, /^stage\s+input\s+wall s\s+throughput\s+peak RSS\s+baseline\s+ratio/);
  assert.match(table[2]!, /^cloudtrail\s+2,000 events/);
  assert.match(table[3]!, /^agent-logs\s+2,000 hook events/);
});

test("the scaling plot draws every measured point, time and memory, per stage", () => {
  const points = [1, 2, 4].flatMap((k) => [
    { stage: "cloudtrail", unit: "events", input: k * 500_000, wallSeconds: k * 3, peakRssMb: 200, baselineSeconds: k * 30 },
    { stage: "git", unit: "commits", input: k * 12_500, wallSeconds: k, peakRssMb: 150, baselineSeconds: k * 0.8 },
  ]);
  const svg = scalingSvg(points, "caption <here>");
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((svg.match(/<circle /g) ?? []).length, 18, "three series of three points in each of two panels");
  assert.ok(svg.includes("CloudTrail events") && svg.includes("Git commits") && svg.includes("2M") && svg.includes("caption &lt;here>"));
});

test("the agent pipeline bench times the parser and the parser with rows on one log, warm rounds only", async () => {
  const { run, report } = await import("../bench/agent-pipeline.ts");
  const r = await run(2000, 3);
  assert.equal(r.events, 2000);
  assert.equal(r.parseUs.length, 2);
  assert.equal(r.rowsUs.length, 2);
  assert.ok([...r.parseUs, ...r.rowsUs].every((us) => us > 0), JSON.stringify(r));
  assert.equal(r.ratio, Math.min(...r.rowsUs) / Math.min(...r.parseUs));
  assert.match(report(r), /^agent pipeline: 2,000 hook events in memory/);
});

test("the hot-path bench reports redaction and shell-classifier figures in CPU time, asserting none", async () => {
  const { formatMicro, runMicro } = await import("../bench/micro.ts");
  const results = runMicro(0.1);
  assert.deepEqual(results.map((r) => r.unit), ["MB/s", "simple commands/s", "ms"]);
  assert.ok(results.every((r) => Number.isFinite(r.figure) && r.figure >= 0), JSON.stringify(results));
  assert.match(formatMicro(results), /^redaction, ordinary log lines: [\d,]+ MB\/s CPU \(floor 20 MB\/s\)$/m);
});

test("the event-row bench inserts the trail's rows under every index variant, copies under fresh eventIDs, none a duplicate", async () => {
  const { run, report } = await import("../bench/event-dedupe.ts");
  const variants = ["A", "N", "L", "U", "T", "F", "H", "S", "B"] as const;
  const one = await run(2000, 1, 1, ["N"]);
  const r = await run(2000, 1, 2, [...variants]);
  assert.equal(r.rows, 2 * one.rows, "each copy stores every row again: the copies' fresh eventIDs are no duplicates");
  assert.ok(one.rows > 0);
  assert.deepEqual(Object.keys(r.cpuUs).sort(), [...variants].sort());
  assert.ok(Object.values(r.cpuUs).every((us) => us.length === 1 && us[0]! > 0), JSON.stringify(r));
  assert.match(report(r), /^\d+ rows in \d+ files\nA: [\d.]+ us CPU per row/);
});
