import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { parsePeriod } from "../../src/period.ts";
import { writePopulations } from "../../src/report/index.ts";
import { recording } from "../helpers/recording-db.ts";
import { oneFileStore } from "../helpers/one-file-store.ts";

/**
 * destructive-actions.csv is agent-actions.csv's destructive rows, in the same order: the package
 * reads a month's agent actions from the store once for both, and the subset is exactly the rows
 * its own query (destructive = 1) returns.
 */
test("the agent actions are read once for agent-actions.csv and destructive-actions.csv, and the subset is exact", (t) => {
  const { db, dir } = oneFileStore(t, "cursor-hooks", "logs/f.jsonl");
  const insert = db.prepare(
    `INSERT INTO events (file_id, source_kind, event_key, time, actor, actor_kind, agent_product, action, classes, destructive, environment, outcome, approval, command, locator, attrs)
     VALUES (1, ?, ?, ?, 'a', 'agent', 'cursor', ?, ?, ?, 'production', 'succeeded', 'none', ?, ?, '{}')`,
  );
  for (let i = 0; i < 300; i++) {
    const destructive = i % 7 === 0 ? 1 : 0;
    // Equal times (ordered by event key), days across the period's edges, session records and CloudTrail calls that are not agent actions.
    const time = new Date(Date.UTC(2026, 8, 29) + Math.floor(i / 3) * 3_600_000 * 8).toISOString();
    const kind = i % 13 === 0 ? "cloudtrail" : "agent-log";
    const action = i % 11 === 0 ? "session:start" : "Shell";
    insert.run(kind, `k${(i * 37) % 300}`, time, action, destructive ? "destructive" : "read", destructive, i % 5 === 0 ? "=cmd, \"quoted\"" : `ls ${i}`, `line ${i + 1}`);
  }
  const prepared: string[] = [];
  writePopulations(recording(db, prepared), dir, parsePeriod("2026-10", "UTC"));

  assert.equal(prepared.filter((sql) => /\bagent_actions\b/.test(sql)).length, 1, prepared.join("\n---\n"));
  const csv = (file: string) => parse(readFileSync(path.join(dir, file), "utf8"), { columns: true }) as Record<string, string>[];
  const all = csv("agent-actions.csv");
  const destructive = csv("destructive-actions.csv");
  const expected = db
    .prepare(
      `SELECT e.event_key FROM agent_actions e WHERE e.destructive = 1 AND e.time >= :start AND e.time < :end ORDER BY e.time, e.event_key`,
    )
    .all({ start: "2026-10-01T00:00:00.000Z", end: "2026-11-01T00:00:00.000Z" }) as { event_key: string }[];
  assert.ok(expected.length > 10 && all.length > expected.length * 3, `${expected.length} of ${all.length}`);
  assert.deepEqual(destructive.map((r) => r.event_key), expected.map((r) => r.event_key));
  // The same cells as the full population's rows: the subset is a filter, never a second rendering.
  const byKey = new Map(all.map((r) => [r.event_key, r]));
  for (const row of destructive) assert.deepEqual(row, byKey.get(row.event_key!));
  assert.deepEqual(Object.keys(destructive[0]!), Object.keys(all[0]!));
  assert.ok(!Object.keys(all[0]!).some((c) => c.includes("destructive")), "the subset flag is not a column of the CSV");
});
