import { defineRule, fail, pass, type RuleResult } from "./define.ts";
import type { EvidenceRef } from "../evidence-ref.ts";
import { drift, PER_FILE, values, type Requirement } from "./lib/settings-baseline.ts";

export default defineRule({
  id: "settings-agents-match-baseline",
  title: "Agent settings files match the configuration baseline",
  rationale: "Agent settings (permission mode, bypass switch, deny rules for destructive commands) are configuration items; drift from the approved baseline silently removes a preventive control (A.8.9).",
  severity: "high",
  sources: ["agent-settings"],
  registers: ["configBaselines"],
  frequency: "continuous",
  evaluate(ctx) {
    const requirements = ctx.all<Requirement>("SELECT * FROM register_config_baselines ORDER BY baseline, product, row");
    const files = ctx.get<{ n: number }>("SELECT count(*) AS n FROM agent_settings")!.n;
    const population = { description: "Ingested agent settings files, merged per product, against each baseline requirement", query: "SELECT f.path, s.*, r.list, r.rule, r.tool, r.specifier, r.destructive FROM agent_settings s JOIN source_files f ON f.id = s.file_id LEFT JOIN agent_setting_rules r ON r.settings_id = s.id ORDER BY f.path, r.list, r.rule", size: files };
    const results: RuleResult[] = [];
    for (const product of [...new Set(requirements.map((r) => r.product))]) {
      const evidence = ctx
        .all<{ id: number; file: string; locator: string }>("SELECT s.id, f.path AS file, s.locator FROM agent_settings s JOIN source_files f ON f.id = s.file_id WHERE s.product = :p ORDER BY f.path", { p: product })
        .map((s): EvidenceRef => ({ ref: `settings:${s.id}`, file: s.file, locator: s.locator }));
      if (evidence.length === 0) {
        results.push({ outcome: "no-evidence", subject: product, message: `No ${product} settings file was ingested, so its baseline could not be compared.`, evidence: [] });
        continue;
      }
      const own = requirements.filter((r) => r.product === product);
      const problems = own.flatMap((req) => {
        const found = values(ctx, product, req.setting, evidence).flatMap((v) => {
          const d = drift(req, v.value);
          return d ? [{ d, evidence: v.evidence }] : [];
        });
        if (found.length === 0) return [];
        // Per-file drift names its files; product-wide drift cites every settings file of the product.
        const perFile = req.setting in PER_FILE && found.some((f) => f.evidence !== evidence[0]);
        return [{ req, d: `${perFile ? `${found.map((f) => f.evidence.file).join(", ")}: ` : ""}${found[0]!.d}`, evidence: perFile ? found.map((f) => f.evidence) : evidence }];
      });
      for (const { req, d, evidence: cited } of problems) {
        results.push(fail(`${product} ${req.setting}`, `${product} settings drift from baseline ${req.baseline}: ${d}.`, cited));
      }
      if (problems.length === 0) results.push(pass(product, `${product} settings (${evidence.length} file${evidence.length === 1 ? "" : "s"}) meet ${own.length === 1 ? "the 1 requirement" : `all ${own.length} requirements`} of the baseline.`, evidence));
    }
    if (results.length === 0) results.push({ outcome: "not-applicable", subject: "baselines", message: "The configuration baseline register lists no requirement.", evidence: [] });
    return { population, results };
  },
});
