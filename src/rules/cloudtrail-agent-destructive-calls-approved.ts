import { defineRule, EVENT_FROM, EVENT_REF_COLUMNS, eventRef, fail, pass } from "./define.ts";

interface Row { event_id: number; file: string; locator: string; time: string; actor: string; agent_id: string; action: string; target: string | null; account: string | null; region: string | null; signal: string | null; confidence: string | null }

const WHERE = `e.source_kind = 'cloudtrail' AND e.actor_kind = 'agent' AND e.destructive = 1 AND e.environment = 'production'
  AND e.outcome = 'succeeded' AND e.time >= :start AND e.time < :end`;

export default defineRule({
  id: "cloudtrail-agent-destructive-calls-approved",
  title: "Agent identities make no unapproved destructive AWS calls in production",
  rationale: "A destructive API call made with an agent identity must trace back to a human confirmation or a change record; otherwise the agent held and used rights the task did not need.",
  severity: "critical",
  sources: ["cloudtrail"],
  production: true,
  frequency: "per-occurrence",
  evaluate(ctx) {
    const size = ctx.get<{ n: number }>(`SELECT count(*) AS n FROM ${EVENT_FROM} WHERE ${WHERE}`)!.n;
    const population = {
      description: "Successful destructive CloudTrail calls by agent identities in production accounts",
      query: `SELECT … FROM events WHERE ${WHERE.replace(/\s+/g, " ")}`,
      size,
    };
    // An agent-log action confirmed by a person within 10 minutes before the call, in the same
    // product, approves it. Time correlation is the weakest link, so it is stated in the message.
    const rows = ctx.all<Row>(
      `SELECT ${EVENT_REF_COLUMNS}, e.time, e.actor, e.agent_id, e.action, e.target, e.account, e.region,
         json_extract(e.attrs, '$.attribution.signal') AS signal, json_extract(e.attrs, '$.attribution.confidence') AS confidence FROM ${EVENT_FROM}
       WHERE ${WHERE} AND NOT EXISTS (
         SELECT 1 FROM agent_actions a WHERE a.approval = 'human' AND a.destructive = 1
           AND a.agent_id = e.agent_id AND a.time <= e.time AND a.time >= strftime('%Y-%m-%dT%H:%M:%fZ', e.time, '-10 minutes'))
       ORDER BY e.time, e.id`,
    );
    if (rows.length === 0) return { population, results: [pass("agent identities", `All ${size} destructive agent calls in production had a human confirmation.`)] };
    return {
      population,
      results: rows.map((r) =>
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
