import { defineRule, fail, pass, registerRef, type RuleResult } from "./define.ts";

interface Row { register: string; row: number; file: string; locator: string; product: string; owner: string; dangerous: string; ungated: string | null; compensating: string }

/** Tools whose boundary permits destructive or irreversible actions, with the permitted ones that skip the confirmation gate. */
const SQL = `SELECT t.register, t.row, t.file, t.locator, t.product, t.owner,
    (SELECT group_concat(p.value, ', ') FROM json_each(t.permitted) p WHERE p.value IN ('destructive', 'irreversible')) AS dangerous,
    (SELECT group_concat(p.value, ', ') FROM json_each(t.permitted) p
       WHERE p.value IN ('destructive', 'irreversible') AND p.value NOT IN (SELECT c.value FROM json_each(t.confirm_first) c)) AS ungated,
    t.compensating_controls AS compensating
  FROM register_ai_tools t
  WHERE EXISTS (SELECT 1 FROM json_each(t.permitted) p WHERE p.value IN ('destructive', 'irreversible'))
  ORDER BY t.product`;

export default defineRule({
  id: "inventory-destructive-agents-gated",
  title: "Agents with destructive rights confirm with a person first, or have a compensating control",
  rationale: "An agentic tool allowed to delete or overwrite without a confirmation gate is an exposure (the December 2025 outage pattern); it needs a compensating control or a risk acceptance.",
  severity: "high",
  sources: [],
  registers: ["aiTools"],
  frequency: "quarterly",
  evaluate(ctx) {
    const total = ctx.get<{ n: number }>("SELECT count(*) AS n FROM register_ai_tools")!.n;
    const rows = ctx.all<Row>(SQL);
    const population = { description: "AI tool inventory entries whose permission boundary permits destructive or irreversible actions", query: SQL.replace(/\s+/g, " "), size: rows.length };
    if (rows.length === 0) return { population, results: [{ outcome: "not-applicable", subject: "AI tool inventory", message: `None of the ${total} inventoried tools may take destructive actions.`, evidence: [] }] };
    const results: RuleResult[] = rows.map((r) => {
      const compensating = JSON.parse(r.compensating) as string[];
      if (!r.ungated) return pass(r.product, `${r.product} may take ${r.dangerous} actions only after a person confirms.`, [registerRef(r)]);
      if (compensating.length) return pass(r.product, `${r.product} may take ${r.ungated} actions without confirmation; compensating: ${compensating.join("; ")}.`, [registerRef(r)]);
      return fail(r.product, `${r.product} (owner ${r.owner}) may take ${r.ungated} actions without a confirmation gate and no compensating control is recorded.`, [registerRef(r)]);
    });
    return { population, results };
  },
});
