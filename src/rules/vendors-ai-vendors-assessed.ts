import { lastDayOf } from "../registers/acceptance.ts";
import { defineRule, fail, pass, registerRef, type RuleResult } from "./define.ts";
import { SEEN_SQL, seenEvidence, serviceName, type SeenRow } from "./lib/seen.ts";

interface VendorRow { register: string; row: number; file: string; locator: string; vendor: string; tier: string; services: string; last_assessed: string | null; next_due: string }

export default defineRule({
  id: "vendors-ai-vendors-assessed",
  title: "Model and MCP vendors in use have a current assessment",
  rationale: "Agents send code and data to model providers and MCP/tool vendors; each vendor in use needs a current, tiered assessment (CC9.2).",
  severity: "medium",
  sources: ["agent-log"],
  registers: ["vendors"],
  frequency: "annual",
  evaluate(ctx) {
    const lastDay = lastDayOf(ctx.period);
    const seen = ctx.all<SeenRow>(`SELECT * FROM (${SEEN_SQL}) ORDER BY kind, name, source`);
    const vendors = ctx.all<VendorRow>("SELECT * FROM register_vendors ORDER BY vendor");
    const vendorOf = (service: string) => vendors.find((v) => (JSON.parse(v.services) as string[]).some((s) => s.toLowerCase() === service.toLowerCase()));
    const used = new Map<string, { vendor: VendorRow; services: Set<string>; evidence: SeenRow[] }>();
    const unknown = new Map<string, SeenRow[]>();
    for (const r of seen) {
      const service = serviceName(r);
      const v = vendorOf(service);
      if (!v) unknown.set(service.toLowerCase(), [...(unknown.get(service.toLowerCase()) ?? []), r]);
      else {
        const entry = used.get(v.vendor) ?? { vendor: v, services: new Set<string>(), evidence: [] };
        entry.services.add(service);
        entry.evidence.push(r);
        used.set(v.vendor, entry);
      }
    }
    const population = { description: `Vendors behind the agent products and MCP servers used in the period (assessment judged on ${lastDay})`, query: SEEN_SQL.trim().replace(/\s+/g, " "), size: used.size + unknown.size };
    const results: RuleResult[] = [];
    for (const [, rows] of unknown) {
      results.push(fail(serviceName(rows[0]!), `${serviceName(rows[0]!)} was used in ${ctx.period.label} but no vendor in the vendor register provides it, so it has no assessment.`, rows.flatMap((r) => seenEvidence(ctx, r))));
    }
    for (const { vendor: v, services } of used.values()) {
      const what = `${v.vendor} (tier ${v.tier}) provides ${[...services].join(", ")}, used in ${ctx.period.label}`;
      const problem = !v.last_assessed
        ? "it has never been assessed"
        : v.last_assessed > lastDay
          ? `its only recorded assessment (${v.last_assessed}) is after the period`
          : v.next_due < lastDay
            ? `its assessment is overdue: next due ${v.next_due} (last assessed ${v.last_assessed})`
            : null;
      results.push(problem ? fail(v.vendor, `${what}, but ${problem}.`, [registerRef(v)]) : pass(v.vendor, `${what}; assessed ${v.last_assessed}, next due ${v.next_due}.`, [registerRef(v)]));
    }
    if (results.length === 0) results.push({ outcome: "not-applicable", subject: "vendors", message: "No agent product or MCP server was used in the period.", evidence: [] });
    return { population, results };
  },
});
