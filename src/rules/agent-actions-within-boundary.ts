import { defineRule, EVENT_FROM, EVENT_REF_COLUMNS } from "./define.ts";
import { TOOL_COLUMNS, TOOL_JOIN } from "./lib/boundary.ts";
import { boundaryResults, type BoundaryRow } from "./lib/boundary-results.ts";

const SQL = `SELECT ${EVENT_REF_COLUMNS}, e.time, e.agent_product, e.action, coalesce(e.command, e.target, e.action) AS what, e.classes, e.environment,
    e.approval = 'human' AS confirmed, (e.approval = 'denied' OR e.outcome = 'denied') AS denied, ${TOOL_COLUMNS}
  FROM ${EVENT_FROM} ${TOOL_JOIN}
  WHERE e.source_kind = 'agent-log' AND e.action NOT LIKE 'session:%' AND e.time >= :start AND e.time < :end
  ORDER BY e.time, e.event_key`;

export default defineRule({
  id: "agent-actions-within-boundary",
  title: "Every agent action stays within its tool's declared action boundary",
  rationale: "A boundary that is only written down is not a control: each action an agent took is tested against its tool's permitted, prohibited and confirm-first classes and environments, so a prohibited or out-of-scope action is found even when a person approved it.",
  severity: "high",
  sources: ["agent-log"],
  registers: ["aiTools"],
  frequency: "per-occurrence",
  evaluate(ctx) {
    const rows = ctx.all<BoundaryRow>(SQL).map((r) => ({ ...r, confirmed: Boolean(r.confirmed), denied: Boolean(r.denied) }));
    const population = {
      description: "Agent tool calls in the period, each with its tool's permission boundary from the AI tool inventory", query: SQL, size: rows.length,
      attribute: "classes, environment and confirmation against the boundary", expected: "no prohibited or unpermitted class, an environment in scope, confirm-first classes confirmed by a person",
    };
    const { items, results } = boundaryResults(
      rows,
      (r) => `${r.agent_product ?? "An unattributed agent"} ran "${r.what}" (${r.time})`,
      `All ${rows.length} agent action${rows.length === 1 ? "" : "s"} in ${ctx.period.label} stayed within their tools' boundaries.`,
    );
    return { population, items, results };
  },
});
