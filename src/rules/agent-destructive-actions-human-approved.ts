import { defineRule, EVENT_FROM, EVENT_REF_COLUMNS, eventRef, fail, pass } from "./define.ts";

interface Row {
  event_id: number; file: string; locator: string; time: string; agent_product: string; action: string;
  command: string | null; target: string | null; approval: string; approval_evidence: string | null; outcome: string;
}

const POPULATION = `SELECT … FROM agent_actions WHERE destructive = 1 AND environment = 'production' AND time >= :start AND time < :end`;

export default defineRule({
  id: "agent-destructive-actions-human-approved",
  title: "Destructive agent actions in production are confirmed by a person",
  rationale: "An agent that deletes or rewrites production without a human confirmation is the failure behind the December 2025 outage; policy modes such as bypassPermissions are not confirmation.",
  severity: "critical",
  sources: ["agent-log"],
  production: true,
  frequency: "per-occurrence",
  evaluate(ctx) {
    const size = ctx.get<{ n: number }>(
      "SELECT count(*) AS n FROM agent_actions WHERE destructive = 1 AND environment = 'production' AND time >= :start AND time < :end",
    )!.n;
    const rows = ctx.all<Row>(
      `SELECT ${EVENT_REF_COLUMNS}, e.time, e.agent_product, e.action, e.command, e.target, e.approval, e.approval_evidence, e.outcome
       FROM ${EVENT_FROM}
       WHERE e.source_kind = 'agent-log' AND e.action NOT LIKE 'session:%' AND e.destructive = 1 AND e.environment = 'production'
         AND e.approval NOT IN ('human', 'denied') AND e.outcome <> 'denied' AND e.time >= :start AND e.time < :end
       ORDER BY e.time, e.id`,
    );
    const population = { description: "Destructive or irreversible agent tool calls in production", query: POPULATION, size };
    if (rows.length === 0) {
      return { population, results: [pass("all agents", `All ${size} destructive agent actions in production were confirmed by a person or denied.`)] };
    }
    return {
      population,
      results: rows.map((r) =>
        fail(
          `${r.agent_product} ${r.action}`,
          `${r.agent_product} ran "${r.command ?? r.target ?? r.action}" in production with ${r.approval} approval (${r.approval_evidence ?? "no decision record"}); outcome ${r.outcome}.`,
          [eventRef(r)],
          r.time,
        ),
      ),
    };
  },
});
