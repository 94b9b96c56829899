import windows from "../correlate-windows.json" with { type: "json" };
import { defineRule, EVENT_FROM, EVENT_REF_COLUMNS, eventRef, fail, pass, type TestedItem } from "./define.ts";

interface Row {
  event_id: number; event_key: string; file: string; locator: string; time: string; actor: string; agent_id: string; action: string; target: string | null;
  account: string | null; region: string | null; signal: string | null; confidence: string | null; confirmation: string | null; confirmed_at: string | null;
}

const WHERE = `e.source_kind = 'cloudtrail' AND e.actor_kind = 'agent' AND e.destructive = 1 AND e.environment = 'production'
  AND e.outcome = 'succeeded' AND e.time >= :start AND e.time < :end`;

/**
 * An agent-log action of the same agent identity, confirmed by a person within the correlation's
 * outer window before the call (src/correlate-windows.json `wideMs`), approves it. Time correlation
 * is the weakest link, so the evidence names the action.
 */
const CONFIRMATION = (column: string) => `(SELECT ${column} FROM agent_actions a WHERE a.approval = 'human' AND a.destructive = 1
    AND a.agent_id = e.agent_id AND a.time <= e.time AND a.time >= strftime('%Y-%m-%dT%H:%M:%fZ', e.time, '-${windows.wideMs / 1000} seconds') ORDER BY a.time DESC LIMIT 1)`;

const SQL = `SELECT ${EVENT_REF_COLUMNS}, e.time, e.actor, e.agent_id, e.action, e.target, e.account, e.region,
    json_extract(e.attrs, '$.attribution.signal') AS signal, json_extract(e.attrs, '$.attribution.confidence') AS confidence,
    ${CONFIRMATION("coalesce(a.approval_evidence, a.command, a.action)")} AS confirmation, ${CONFIRMATION("a.time")} AS confirmed_at
  FROM ${EVENT_FROM} WHERE ${WHERE} ORDER BY e.time, e.event_key`;

export default defineRule({
  id: "cloudtrail-agent-destructive-calls-approved",
  title: "Agent identities make no unapproved destructive AWS calls in production",
  rationale: "A destructive API call made with an agent identity must trace back to a human confirmation or a change record; otherwise the agent held and used rights the task did not need.",
  severity: "critical",
  sources: ["cloudtrail"],
  production: true,
  frequency: "per-occurrence",
  evaluate(ctx) {
    const rows = ctx.all<Row>(SQL);
    const population = {
      description: "Successful destructive CloudTrail calls by agent identities in production accounts", query: SQL, size: rows.length,
      attribute: `human confirmation in the agent logs within ${windows.wideMs / 60_000} minutes before the call`, expected: "present",
    };
    const items: TestedItem[] = rows.map((r) => ({
      key: r.event_key, observed: r.confirmation ? `confirmed at ${r.confirmed_at}: ${r.confirmation}` : "none recorded",
      result: r.confirmation ? "pass" : "exception", evidence: eventRef(r),
    }));
    const failing = rows.filter((r) => !r.confirmation);
    if (failing.length === 0) {
      const message = rows.length
        ? `All ${rows.length} destructive agent call${rows.length === 1 ? "" : "s"} in production had a human confirmation.`
        : `No agent identity made a successful destructive call in production in ${ctx.period.label}.`;
      return { population, items, results: [pass("agent identities", message)] };
    }
    return {
      population,
      items,
      results: failing.map((r) =>
        fail(
          r.actor,
          `Agent identity ${r.agent_id} called ${r.action} on ${r.target ?? "an unnamed resource"} in production account ${r.account} (${r.region}) with no human confirmation recorded` +
            // How sure the attribution is matters to the reader: a role is proof, a time match a lead.
            `${r.signal ? ` (attributed by ${r.signal}, ${r.confidence} confidence)` : ""}.`,
          [eventRef(r)],
          r.time,
        ),
      ),
    };
  },
});
