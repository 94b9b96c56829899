import windows from "../correlate-windows.json" with { type: "json" };
import { defineRule, EVENT_FROM, EVENT_REF_COLUMNS } from "./define.ts";
import { TOOL_COLUMNS, TOOL_JOIN } from "./lib/boundary.ts";
import { boundaryResults, type BoundaryRow } from "./lib/boundary-results.ts";

/**
 * A CloudTrail call carries no approval of its own: it counts as confirmed when the same tool's
 * agent log records an action a person confirmed within the correlation window before the call
 * (src/correlate-windows.json `wideMs`, the outer limit of a tool-call -> CloudTrail link).
 */
const CONFIRMED = `EXISTS (SELECT 1 FROM agent_actions a WHERE a.approval = 'human'
    AND (a.agent_id = e.agent_id OR lower(a.agent_product) = lower(e.agent_product))
    AND a.time <= e.time AND a.time >= strftime('%Y-%m-%dT%H:%M:%fZ', e.time, '-${windows.wideMs / 1000} seconds'))`;

const SQL = `SELECT ${EVENT_REF_COLUMNS}, e.time, e.agent_product, e.action,
    e.action || ' on ' || coalesce(e.target, 'an unnamed resource') || ' in account ' || coalesce(e.account, 'unknown') AS what,
    e.classes, e.environment, ${CONFIRMED} AS confirmed, e.outcome = 'denied' AS denied, ${TOOL_COLUMNS}
  FROM ${EVENT_FROM} ${TOOL_JOIN}
  WHERE e.source_kind = 'cloudtrail' AND e.actor_kind = 'agent' AND e.time >= :start AND e.time < :end
  ORDER BY e.time, e.event_key`;

/** Agent calls kept only as daily counts cannot be judged one by one; the population says how many. */
const SUMMARISED = `SELECT coalesce(sum(n), 0) AS n FROM event_summaries WHERE source_kind = 'cloudtrail' AND actor_kind = 'agent' AND day_start >= :start AND day_start < :end`;

export default defineRule({
  id: "cloudtrail-agent-calls-within-boundary",
  title: "Every AWS call by an agent identity stays within its tool's declared action boundary",
  rationale: "An agent role acting outside its tool's environments or classes is caught from CloudTrail alone, even when the agent kept no log of its own: the December 2025 pattern (an agent role deleting a production stack) needs no agent log to be seen.",
  severity: "high",
  sources: ["cloudtrail"],
  registers: ["aiTools"],
  frequency: "per-occurrence",
  evaluate(ctx) {
    const rows = ctx.all<BoundaryRow>(SQL).map((r) => ({ ...r, confirmed: Boolean(r.confirmed), denied: Boolean(r.denied) }));
    const summarised = ctx.get<{ n: number }>(SUMMARISED)!.n;
    const population = {
      description: `CloudTrail calls by agent identities in the period, each with its tool's permission boundary from the AI tool inventory` +
        (summarised ? `; ${summarised} further agent call${summarised === 1 ? " was" : "s were"} kept only as daily counts and not tested one by one` : ""),
      query: SQL, size: rows.length,
      attribute: "classes, environment (account) and confirmation against the boundary",
      expected: `no prohibited or unpermitted class, an environment in scope, confirm-first classes confirmed by a person in the agent log within ${windows.wideMs / 60_000} minutes before`,
    };
    const { items, results } = boundaryResults(
      rows,
      (r) => `Agent identity of ${r.agent_product ?? "an unattributed agent"} called ${r.what} (${r.time})`,
      `All ${rows.length} call${rows.length === 1 ? "" : "s"} by agent identities in ${ctx.period.label} stayed within their tools' boundaries.`,
    );
    return { population, items, results };
  },
});
