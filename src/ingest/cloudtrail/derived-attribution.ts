import type { Db } from "../../store/index.ts";
import type { EnrichContext } from "../enrich.ts";
import windows from "../../correlate-windows.json" with { type: "json" };

/**
 * Attribution that needs more than one record, run after every ingest over the whole store (so
 * ingest order does not matter) and idempotent (earlier derived attributions are undone first):
 *
 * - session tags: AssumeRole records carry the session's tags and the access key issued; every
 *   later call signed with that key is the tagged session's (high confidence);
 * - time and command: an agent-log command `aws <service> <operation>` followed within seconds by
 *   that call from an unattributed identity, the developer's own credentials (low confidence).
 */
const WINDOW_BEFORE_S = windows.attributionBeforeMs / 1000;
const WINDOW_AFTER_S = windows.attributionAfterMs / 1000;
// aws-cli service names whose eventSource differs.
const CLI_SERVICES: Record<string, string> = { s3api: "s3", cloudwatch: "monitoring", "elbv2": "elasticloadbalancing", elb: "elasticloadbalancing" };

const pascal = (op: string) => op.split("-").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");

function mark(db: Db) {
  return db.prepare(
    `UPDATE events SET agent_id = :agent, agent_product = :product,
       attrs = json_set(attrs, '$.attribution', json_object('signal', :signal, 'confidence', :confidence),
                        '$.derivedAttribution', json_object('previousKind', actor_kind, 'evidence', :evidence)),
       actor_kind = 'agent'
     WHERE id = :id AND agent_id IS NULL`,
  );
}

export function deriveCloudTrailAttribution(db: Db, ctx: EnrichContext): { sessionTag: number; timeCorrelation: number } {
  db.prepare(
    `UPDATE events SET agent_id = NULL, agent_product = NULL, actor_kind = json_extract(attrs, '$.derivedAttribution.previousKind'),
       attrs = json_remove(attrs, '$.derivedAttribution', '$.attribution')
     WHERE source_kind = 'cloudtrail' AND instr(attrs, '"derivedAttribution"') > 0 AND json_extract(attrs, '$.derivedAttribution') IS NOT NULL`,
  ).run();
  const update = mark(db);
  let sessionTag = 0;
  let timeCorrelation = 0;
  const matchers = ctx.sessionTagMatchers();
  if (matchers.length) {
    const assumes = db
      .prepare(`SELECT id, json_extract(attrs, '$.sessionTags') AS tags, json_extract(attrs, '$.issuedAccessKeyId') AS issued FROM events
                WHERE source_kind = 'cloudtrail' AND action LIKE 'sts:AssumeRole%'`)
      .all() as { id: number; tags: string | null; issued: string | null }[];
    const byKey = db.prepare("SELECT id FROM events WHERE source_kind = 'cloudtrail' AND session_id = ? AND agent_id IS NULL");
    for (const a of assumes) {
      if (!a.issued || !a.tags) continue;
      const tags = JSON.parse(a.tags) as { key: string; value: string }[];
      const m = matchers.find((x) => x.matches(tags));
      if (!m) continue;
      for (const { id } of byKey.all(a.issued) as { id: number }[]) {
        sessionTag += update.run({ id, agent: m.agentId, product: m.product, signal: "session-tag", confidence: "high", evidence: `event:${a.id}` }).changes;
      }
    }
  }
  const commands = db
    .prepare(`SELECT id, agent_id, agent_product, time, command FROM agent_actions WHERE command LIKE '%aws %' AND agent_id IS NOT NULL`)
    .all() as { id: number; agent_id: string; agent_product: string; time: string; command: string }[];
  const near = db.prepare(
    `SELECT id FROM events WHERE source_kind = 'cloudtrail' AND agent_id IS NULL AND action = :a
       AND time >= strftime('%Y-%m-%dT%H:%M:%fZ', :t, '-${WINDOW_BEFORE_S} seconds') AND time <= strftime('%Y-%m-%dT%H:%M:%fZ', :t, '+${WINDOW_AFTER_S} seconds')
     ORDER BY time LIMIT 1`,
  );
  for (const c of commands) {
    for (const m of c.command.matchAll(/\baws\s+([a-z0-9-]+)\s+([a-z][a-z0-9-]*)/g)) {
      const svc = CLI_SERVICES[m[1]!] ?? m[1]!;
      const name = pascal(m[2]!);
      const hit = near.get({ a: `${svc}:${name}`, t: c.time }) as { id: number } | undefined;
      if (hit) timeCorrelation += update.run({ id: hit.id, agent: c.agent_id, product: c.agent_product, signal: "time-correlation", confidence: "low", evidence: `event:${c.id}` }).changes;
    }
  }
  return { sessionTag, timeCorrelation };
}
