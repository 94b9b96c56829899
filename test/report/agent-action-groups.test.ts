import { test } from "node:test";
import assert from "node:assert/strict";
import { agentActionGroups } from "../../src/report/collect/activity.ts";
import { approvalTables } from "../../src/report/collect/package-data.ts";
import { parsePeriod } from "../../src/period.ts";
import { oneFileStore } from "../helpers/one-file-store.ts";

/**
 * The package's approval tables are summed from the one grouped pass over the period's agent
 * actions that the activity summary reads: they must equal, row for row and in order, what their
 * own queries returned (ties in the count ordered by name, as SQLite's ORDER BY did).
 */
test("approval tables summed from the agent action groups equal their own GROUP BY queries, order included", (t) => {
  const { db } = oneFileStore(t, "cursor-hooks");
  const insert = db.prepare(
    `INSERT INTO events (file_id, source_kind, event_key, time, actor, actor_kind, agent_product, action, classes, destructive, environment, outcome, approval, locator, attrs)
     VALUES (1, ?, ?, ?, 'a', 'agent', ?, ?, ?, ?, ?, 'succeeded', ?, 'line 1', '{}')`,
  );
  const products = ["cursor", "claude-code", null, "codex"];
  const approvals = ["unknown", "auto", "human", "policy", "none"];
  for (let i = 0; i < 400; i++) {
    const destructive = i % 7 === 0 ? 1 : 0;
    // Days across the period's edges, session records (not actions) and CloudTrail calls (not agent actions) too.
    const time = new Date(Date.UTC(2026, 8, 29) + i * 3_600_000 * 2.1).toISOString();
    const kind = i % 13 === 0 ? "cloudtrail" : "agent-log";
    const action = i % 11 === 0 ? "session:start" : "Shell";
    insert.run(kind, `k${i}`, time, products[i % 4], action, destructive ? "destructive write" : ["read", "write"][i % 2], destructive, i % 3 ? "non-production" : "production", approvals[(i * 7) % 5]);
  }
  // Two approvals with the same number of actions: their order is by name.
  for (const [i, approval] of ["zz-b", "zz-a"].entries()) insert.run("agent-log", `tie${i}`, "2026-10-10T00:00:00.000Z", "cursor", "Shell", "read", 0, "production", approval);
  const period = parsePeriod("2026-10", "UTC");
  const p = { start: period.startIso, end: period.endIso };
  const expected = {
    destructiveByApproval: db.prepare(
      `SELECT approval, coalesce(agent_product, 'unknown') AS agentProduct, count(*) AS count FROM agent_actions
       WHERE destructive = 1 AND time >= :start AND time < :end GROUP BY 1, 2 ORDER BY 1, 2`,
    ).all(p),
    approvalKinds: db.prepare(
      `SELECT approval, count(*) AS actions, coalesce(sum(destructive), 0) AS destructive FROM agent_actions
       WHERE time >= :start AND time < :end GROUP BY 1 ORDER BY 2 DESC, 1`,
    ).all(p),
  };
  assert.ok(expected.destructiveByApproval.length > 5 && expected.approvalKinds.length === 7, JSON.stringify(expected));
  assert.deepEqual(approvalTables(agentActionGroups(db, period)), expected);
});
