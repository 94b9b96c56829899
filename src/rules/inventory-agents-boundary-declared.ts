import { defineRule, fail, pass, registerRef, type RuleResult } from "./define.ts";
import { SEEN_SQL, seenEvidence, type SeenRow } from "./lib/seen.ts";

interface Tool { register: string; row: number; file: string; locator: string; product: string; aliases: string; permitted: string | null }

export default defineRule({
  id: "inventory-agents-boundary-declared",
  title: "Every agent seen in use has a declared action boundary",
  rationale: "An agent with no declared boundary cannot be tested against one: nothing says which actions it may take, which need a person's confirmation, or where it may act.",
  severity: "high",
  sources: ["agent-log"],
  registers: ["aiTools"],
  frequency: "continuous",
  evaluate(ctx) {
    const seen = ctx.all<SeenRow>(`SELECT * FROM (${SEEN_SQL}) WHERE kind = 'agent' ORDER BY lower(name), source`);
    const tools = ctx.all<Tool>("SELECT register, row, file, locator, product, aliases, permitted FROM register_ai_tools ORDER BY row");
    const toolOf = (name: string) =>
      tools.find((t) => t.product.toLowerCase() === name || (JSON.parse(t.aliases) as string[]).some((a) => a.toLowerCase() === name));
    const byName = new Map<string, SeenRow[]>();
    for (const r of seen) byName.set(r.name.toLowerCase(), [...(byName.get(r.name.toLowerCase()) ?? []), r]);
    const population = { description: "Distinct agent products seen in agent logs, CloudTrail and commits in the period", query: SEEN_SQL.trim().replace(/\s+/g, " "), size: byName.size };
    const results: RuleResult[] = [...byName].map(([name, rows]) => {
      const tool = toolOf(name);
      const where = rows.map((r) => `${r.n} ${r.source === "git" ? "commit" : "record"}${r.n === 1 ? "" : "s"} in ${r.source}`).join(", ");
      if (!tool) return fail(name, `Agent ${name} was used in ${ctx.period.label} (${where}) with no declared action boundary: it is not in the AI tool inventory.`, seenEvidence(ctx, rows[0]!));
      if (tool.permitted === null) {
        return fail(tool.product, `Agent ${tool.product} was used in ${ctx.period.label} (${where}) but its inventory entry declares no permission boundary.`, [registerRef(tool), ...seenEvidence(ctx, rows[0]!)]);
      }
      return pass(tool.product, `Agent ${tool.product} was used in ${ctx.period.label} (${where}) and has a declared permission boundary.`, [registerRef(tool)]);
    });
    if (results.length === 0) return { population, results: [pass("AI tool inventory", `No agent was seen in use in ${ctx.period.label}.`)] };
    return { population, results };
  },
});
