import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import path from "node:path";
import type { Evaluation } from "../../src/evaluate.ts";
import { parsePeriod } from "../../src/period.ts";
import { collectPackageData } from "../../src/report/collect/package-data.ts";
import { openStore } from "../../src/store/index.ts";
import { recording } from "../helpers/recording-db.ts";
import { tempDir } from "../helpers/workspace.ts";

const noRules = { rules: [], controls: [], findings: [], acceptances: [], outOfScope: [], coverage: { overall: { tested: 0, inScope: 0, ratio: 0 }, byFramework: {} } } as unknown as Evaluation;

/**
 * The AI tool inventory (records seen per product and source) and the permissions used (per
 * product and item) are sums of one grouped pass over the period's records of named agent
 * products: they must equal, row for row and in order, what their own queries returned.
 */
test("inventory and permissions used come from one read of the agent products' records and equal their own queries", (t) => {
  const dir = tempDir("evidence-package-data-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = openStore(path.join(dir, "evidence.db"));
  t.after(() => db.close());
  const file = db.prepare("INSERT INTO source_files (source, path, kind, sha256, size, parser, parser_version, context_hash, ingested_at) VALUES (?, ?, ?, 'x', 1, 'p', '1', 'c', 'now')");
  for (const [i, [source, kind]] of ([["hooks", "cursor-hooks"], ["trail", "cloudtrail"], ["hooks-b", "claude-code-hooks"], ["trail", "cloudtrail"]] as const).entries()) {
    file.run(source, `${source}/${i}.log`, kind);
  }
  const insert = db.prepare(
    `INSERT INTO events (file_id, source_kind, event_key, time, actor, actor_kind, agent_product, action, classes, destructive, environment, outcome, approval, locator, attrs)
     VALUES (?, ?, ?, ?, 'a', ?, ?, ?, ?, 0, 'production', 'succeeded', 'none', 'line 1', '{}')`,
  );
  const products = ["cursor", "claude-code", null, "Cursor", "codex", "ＣＯＤＥＸ"];
  for (let i = 0; i < 600; i++) {
    const kind = i % 3 === 0 ? "cloudtrail" : "agent-log";
    const fileId = kind === "cloudtrail" ? (i % 2 ? 2 : 4) : i % 2 ? 1 : 3;
    // Days across the period's edges, session records, human cloud calls with an agent product, equal counts.
    const time = new Date(Date.UTC(2026, 8, 29) + i * 3_600_000 * 1.3).toISOString();
    const action = i % 17 === 0 ? "session:start" : kind === "cloudtrail" ? ["s3:DeleteObject", "ec2:RunInstances", "iam:PassRole"][i % 3 === 0 ? (i / 3) % 3 : 0] : "Shell";
    insert.run(fileId, kind, `k${i}`, time, kind === "cloudtrail" && i % 4 === 0 ? "human" : "agent", products[i % 6], action, ["read", "", "write execute", "destructive"][i % 4]);
  }
  const period = parsePeriod("2026-10", "UTC");
  const p = { start: period.startIso, end: period.endIso };
  const prepared: string[] = [];
  const data = collectPackageData(recording(db, prepared), period, noRules);
  assert.equal(prepared.filter((sql) => /agent_product IS NOT NULL/.test(sql) && /\bevents\b/.test(sql)).length, 1, prepared.join("\n---\n"));

  const seen = db
    .prepare(
      `SELECT e.agent_product AS product, f.source AS source, count(*) AS n, min(e.time) AS first, max(e.time) AS last
       FROM events e JOIN source_files f ON f.id = e.file_id
       WHERE e.agent_product IS NOT NULL AND e.action NOT LIKE 'session:%' AND e.time >= :start AND e.time < :end
         AND (e.source_kind = 'agent-log' OR e.actor_kind = 'agent')
       GROUP BY 1, 2`,
    )
    .all(p) as { product: string; source: string; n: number; first: string; last: string }[];
  const expectedInventory = new Map<string, { records: number; sources: string[]; firstSeen: string; lastSeen: string }>();
  for (const s of seen) {
    const row = expectedInventory.get(s.product.toLowerCase()) ?? { records: 0, sources: [], firstSeen: s.first, lastSeen: s.last };
    row.records += s.n;
    if (!row.sources.includes(s.source)) row.sources.push(s.source);
    row.sources.sort();
    if (s.first < row.firstSeen) row.firstSeen = s.first;
    if (s.last > row.lastSeen) row.lastSeen = s.last;
    expectedInventory.set(s.product.toLowerCase(), row);
  }
  assert.equal(data.inventory.length, 4, JSON.stringify(data.inventory));
  for (const row of data.inventory) assert.deepEqual({ records: row.records, sources: row.sources, firstSeen: row.firstSeen, lastSeen: row.lastSeen }, expectedInventory.get(row.identity.toLowerCase()));

  const used = db
    .prepare(
      `SELECT agent_product AS identity,
         CASE WHEN source_kind = 'cloudtrail' THEN action ELSE 'class:' || coalesce(nullif(classes, ''), 'unclassified') END AS item, count(*) AS n
       FROM events WHERE agent_product IS NOT NULL AND action NOT LIKE 'session:%' AND time >= :start AND time < :end
       GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2`,
    )
    .all(p) as { identity: string; item: string; n: number }[];
  assert.ok(used.length >= 10, JSON.stringify(used));
  assert.deepEqual(
    data.permissions.map((x) => [x.identity, x.used]),
    data.inventory.map((i) => [i.identity, used.filter((u) => u.identity === i.identity).slice(0, 25).map((u) => ({ item: u.item, count: u.n }))]),
  );
});
