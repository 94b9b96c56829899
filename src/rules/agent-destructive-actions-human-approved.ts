import { defineRule, EVENT_FROM, EVENT_REF_COLUMNS, eventRef, fail, pass, type TestedItem } from "./define.ts";

interface Row {
  event_id: number; event_key: string; file: string; locator: string; time: string; agent_product: string; action: string;
  command: string | null; target: string | null; approval: string; approval_evidence: string | null; outcome: string;
}

const POPULATION = `SELECT e.*, f.path AS file FROM events e JOIN source_files f ON f.id = e.file_id
WHERE e.source_kind = 'agent-log' AND e.action NOT LIKE 'session:%' AND e.destructive = 1 AND e.environment = 'production'
  AND e.time >= :start AND e.time < :end ORDER BY e.time, e.event_key`;

/** A person confirmed it, or it was denied and so never ran: the only two answers that pass. */
const approved = (r: Row) => r.approval === "human" || r.approval === "denied" || r.outcome === "denied";

export default defineRule({
  id: "agent-destructive-actions-human-approved",
  title: "Destructive agent actions in production are confirmed by a person",
  rationale: "An agent that deletes or rewrites production without a human confirmation is the failure behind the December 2025 outage; policy modes such as bypassPermissions are not confirmation.",
  severity: "critical",
  sources: ["agent-log"],
  production: true,
  frequency: "per-occurrence",
  evaluate(ctx) {
    const rows = ctx.all<Row>(
      `SELECT ${EVENT_REF_COLUMNS}, e.time, e.agent_product, e.action, e.command, e.target, e.approval, e.approval_evidence, e.outcome
       FROM ${EVENT_FROM}
       WHERE e.source_kind = 'agent-log' AND e.action NOT LIKE 'session:%' AND e.destructive = 1 AND e.environment = 'production'
         AND e.time >= :start AND e.time < :end
       ORDER BY e.time, e.event_key`,
    );
    const population = {
      description: "Destructive or irreversible agent tool calls in production", query: POPULATION, size: rows.length,
      attribute: "approval (outcome)", expected: "human, or denied",
    };
    const items: TestedItem[] = rows.map((r) => ({
      key: r.event_key, observed: `${r.approval} (${r.outcome})`, result: approved(r) ? "pass" : "exception", evidence: eventRef(r),
    }));
    const failing = rows.filter((r) => !approved(r));
    if (failing.length === 0) {
      const message = rows.length
        ? `All ${rows.length} destructive agent action${rows.length === 1 ? "" : "s"} in production ${rows.length === 1 ? "was" : "were"} confirmed by a person or denied.`
        : `No destructive agent action ran in production in ${ctx.period.label}.`;
      return { population, items, results: [pass("all agents", message)] };
    }
    return {
      population,
      items,
      results: failing.map((r) =>
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
