import { all } from "../text/plural.ts";
import { defineRule, fail, pass, type TestedItem } from "./define.ts";
import { SEEN_SQL, seenEvidence, serviceName, type SeenRow } from "./lib/seen.ts";

/** Names the inventory knows: each tool's product and aliases, and the MCP servers approved for any tool. */
const KNOWN_SQL = `SELECT 'agent' AS kind, lower(product) AS name FROM register_ai_tools
  UNION SELECT 'agent', lower(a.value) FROM register_ai_tools t, json_each(t.aliases) a
  UNION SELECT 'mcp', lower(m.value) FROM register_ai_tools t, json_each(t.mcp_servers) m`;

export default defineRule({
  id: "inventory-agents-in-use-registered",
  title: "Every agent and MCP server seen in use is in the AI tool inventory",
  rationale: "An agent or MCP server that acts in logs or commits but is missing from the inventory has no owner, no permission boundary and no vendor review: a shadow agent is an unknown, unauthorized component.",
  severity: "high",
  sources: ["agent-log"],
  registers: ["aiTools"],
  frequency: "continuous",
  evaluate(ctx) {
    const seen = ctx.all<SeenRow>(`SELECT * FROM (${SEEN_SQL}) ORDER BY kind, name, source`);
    const names = new Set(seen.map((r) => `${r.kind}:${r.name.toLowerCase()}`));
    const population = { description: "Distinct agent products and MCP servers seen in agent logs, CloudTrail and commits in the period", query: SEEN_SQL.trim().replace(/\s+/g, " "), size: names.size };
    const known = new Set(ctx.all<{ kind: string; name: string }>(KNOWN_SQL).map((k) => `${k.kind}:${k.name}`));
    const shadow = new Map<string, SeenRow[]>();
    for (const r of seen) {
      const key = `${r.kind}:${r.name.toLowerCase()}`;
      if (!known.has(key)) shadow.set(key, [...(shadow.get(key) ?? []), r]);
    }
    // Every name seen, with the verdict on it: the workpaper items.
    const items: TestedItem[] = [...names].sort().map((key) => {
      const first = seen.find((r) => `${r.kind}:${r.name.toLowerCase()}` === key)!;
      return { key: serviceName(first), observed: known.has(key) ? "in the AI tool inventory" : "not in the AI tool inventory", result: known.has(key) ? "pass" : "exception" };
    });
    const inventoried = { ...population, attribute: "listed in the AI tool register (product, alias or MCP server)", expected: "listed" };
    if (shadow.size === 0) {
      const message = names.size ? `${all(names.size, "agent or MCP server", "agents and MCP servers")} seen in ${ctx.period.label} ${names.size === 1 ? "is" : "are"} in the AI tool inventory.` : `No agent or MCP server was seen in use in ${ctx.period.label}.`;
      return { population: inventoried, items, results: [pass("AI tool inventory", message)] };
    }
    return {
      population: inventoried,
      items,
      results: [...shadow.values()].map((rows) => {
        const first = rows[0]!;
        const where = rows.map((r) => `${r.n} ${r.source === "git" ? "commit" : "record"}${r.n === 1 ? "" : "s"} in ${r.source}`).join(", ");
        return fail(
          serviceName(first),
          `${first.kind === "mcp" ? "MCP server" : "Agent"} ${serviceName(first)} was used in ${ctx.period.label} (${where}) but is not in the AI tool inventory.`,
          rows.flatMap((r) => seenEvidence(ctx, r)),
        );
      }),
    };
  },
});
