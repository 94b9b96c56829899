import { defineRule, EVENT_FROM, EVENT_REF_COLUMNS, eventRef, fail, pass } from "./define.ts";

interface Row { event_id: number; file: string; locator: string; time: string; actor: string; action: string; target: string | null; outcome: string }

const WHERE = `e.source_kind = 'cloudtrail' AND ' ' || e.classes || ' ' LIKE '% logging-tamper %' AND e.time >= :start AND e.time < :end`;

export default defineRule({
  id: "cloudtrail-logging-not-tampered",
  title: "Nobody stops, deletes or weakens audit logging",
  rationale: "Tampering with CloudTrail, Config, GuardDuty or flow logs blinds the monitoring every other control relies on; attempts count even when denied.",
  severity: "high",
  sources: ["cloudtrail"],
  frequency: "continuous",
  evaluate(ctx) {
    const sql = `SELECT ${EVENT_REF_COLUMNS}, e.time, e.actor, e.action, e.target, e.outcome FROM ${EVENT_FROM} WHERE ${WHERE} ORDER BY e.time, e.event_key`;
    const rows = ctx.all<Row>(sql);
    const population = { description: "Logging and detection tampering calls (StopLogging, DeleteTrail, DeleteFlowLogs, …)", query: sql, size: rows.length };
    if (rows.length === 0) return { population, results: [pass("audit logging", "No call stopped, deleted or weakened audit logging.")] };
    return { population, results: rows.map((r) => fail(r.actor, `${r.actor} called ${r.action} on ${r.target ?? "logging"} (${r.outcome}).`, [eventRef(r)], r.time)) };
  },
});
