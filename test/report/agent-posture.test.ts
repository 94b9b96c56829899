import { test } from "node:test";
import assert from "node:assert/strict";
import { parsePeriod } from "../../src/period.ts";
import { agentActionGroups } from "../../src/report/collect/activity.ts";
import { collectAgentPosture } from "../../src/report/collect/agent-posture.ts";
import { recording } from "../helpers/recording-db.ts";
import { oneFileStore } from "../helpers/one-file-store.ts";

/**
 * Actions by permission mode and the unattended sessions are sums of the one grouped pass over the
 * period's agent actions that the activity summary and approval tables read too: they must equal, row for row and in order, what their own queries
 * returned (the 50 sessions kept, ties included).
 */
test("actions by mode and unattended sessions are sums of the agent action groups (one read of the agent actions) and equal their own queries", (t) => {
  const { db } = oneFileStore(t, "claude-code-hooks");
  const insert = db.prepare(
    `INSERT INTO events (file_id, source_kind, event_key, time, actor, actor_kind, agent_product, session_id, action, classes, destructive, environment, outcome, approval, locator, attrs)
     VALUES (1, 'agent-log', ?, ?, 'a', 'agent', ?, ?, ?, 'read', ?, 'production', 'succeeded', 'none', 'line 1', ?)`,
  );
  const modes = [null, "default", "bypassPermissions", "auto", "plan", "yolo", "not recorded", "never"];
  const products = ["claude-code", null, "codex", "gemini-cli"];
  for (let i = 0; i < 900; i++) {
    const mode = modes[(i * 5 + Math.floor(i / 7)) % 8];
    // Days across the period's edges; sessions shared by products and modes; many times equal, so sort ties happen.
    const time = new Date(Date.UTC(2026, 8, 30) + Math.floor(i / 4) * 3_600_000 * 3.5).toISOString();
    const session = i % 23 === 0 ? null : `s${i % 97}`;
    const action = i % 19 === 0 ? "session:mode" : "Bash";
    const attrs = JSON.stringify(mode === null ? {} : action === "Bash" ? { permissionMode: mode } : { permissionMode: mode, fromMode: "default" });
    insert.run(`k${i}`, time, products[i % 4], session, action, i % 3 === 0 ? 1 : 0, attrs);
  }
  const period = parsePeriod("2026-10", "UTC");
  const prepared: string[] = [];
  const store = recording(db, prepared);
  const posture = collectAgentPosture(store, period, agentActionGroups(store, period));
  assert.equal(prepared.filter((sql) => /\bagent_actions\b/.test(sql)).length, 1, prepared.join("\n---\n"));

  const p = { start: period.startIso, end: period.endIso };
  const byMode = db
    .prepare(
      `SELECT coalesce(agent_product, 'unknown') AS agentProduct, coalesce(json_extract(attrs, '$.permissionMode'), 'not recorded') AS mode,
         count(*) AS actions, sum(destructive) AS destructive
       FROM agent_actions WHERE time >= :start AND time < :end GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2`,
    )
    .all(p);
  const sessions = db
    .prepare(
      `SELECT coalesce(a.agent_product, 'unknown') AS agentProduct, a.session_id AS sessionId,
         (SELECT group_concat(mode, ' > ') FROM (SELECT DISTINCT mode FROM session_modes m WHERE m.session_id = a.session_id ORDER BY m.time)) AS modes,
         min(a.time) AS first, max(a.time) AS last, count(*) AS actions, sum(a.destructive) AS destructive
       FROM agent_actions a
       WHERE a.time >= :start AND a.time < :end AND a.session_id IS NOT NULL
         AND json_extract(a.attrs, '$.permissionMode') IN ('bypassPermissions', 'dontAsk', 'auto', 'never', 'yolo')
       GROUP BY 1, 2 ORDER BY sum(a.destructive) DESC, min(a.time), 1, 2 LIMIT 50`,
    )
    .all(p);
  assert.ok(byMode.length > 20 && sessions.length === 50, `${byMode.length} modes, ${sessions.length} sessions`);
  assert.deepEqual(posture.byMode, byMode);
  assert.deepEqual(posture.unattendedSessions, sessions);
});
