import { defineRule, fail, pass, type EvidenceRef, type RuleContext, type RuleResult } from "./define.ts";

interface Requirement { baseline: string; product: string; setting: string; equals: string | null; not_equals: string | null; includes: string | null; excludes: string | null; rationale: string | null }

/**
 * Scalar settings are judged file by file: the store does not say which files belong to one
 * project, so precedence cannot be applied across them, and a single file that sets bypass mode is
 * drift wherever it sits. Rule lists are judged on the union of the product's files (deny rules
 * usually live in shared settings, local files only add allows). `bypassDisabled` is one switch for
 * the product: it holds when any file (normally managed settings) disables bypass mode.
 */
const PER_FILE: Record<string, string> = { defaultMode: "default_mode", sandbox: "sandbox", bypassDefault: "bypass_default", destructiveAllowed: "destructive_allowed" };
const BOOLEAN = new Set(["bypassDefault", "bypassDisabled"]);
/** `Bash(npm run test:*)` is the legacy spelling of `Bash(npm run test *)`. */
const normalRule = (r: string) => r.trim().replace(/:\*\)$/, " *)");

interface FileValue { evidence: EvidenceRef; value: unknown }

/** The values a requirement is judged on: one per file that sets the setting, or one for the whole product. */
function values(ctx: RuleContext, product: string, setting: string, all: EvidenceRef[]): FileValue[] {
  const bool = (v: unknown) => (BOOLEAN.has(setting) && v !== null ? v === 1 : v);
  const column = PER_FILE[setting];
  if (column) {
    const rows = ctx.all<{ id: number; file: string; locator: string; v: unknown }>(
      `SELECT s.id, f.path AS file, s.locator, s.${column} AS v FROM agent_settings s JOIN source_files f ON f.id = s.file_id
       WHERE s.product = :p AND s.${column} IS NOT NULL ORDER BY f.path`,
      { p: product },
    );
    if (rows.length) return rows.map((r) => ({ evidence: { ref: `settings:${r.id}`, file: r.file, locator: r.locator }, value: bool(r.v) }));
    return [{ evidence: all[0]!, value: null }];
  }
  if (setting === "bypassDisabled") {
    const v = ctx.get<{ v: unknown }>("SELECT max(bypass_disabled) AS v FROM agent_settings WHERE product = :p", { p: product })?.v ?? null;
    return [{ evidence: all[0]!, value: bool(v) }];
  }
  const rules = ctx
    .all<{ rule: string }>("SELECT DISTINCT r.rule FROM agent_setting_rules r JOIN agent_settings s ON s.id = r.settings_id WHERE s.product = :p AND r.list = :list", { p: product, list: setting })
    .map((r) => normalRule(r.rule));
  return [{ evidence: all[0]!, value: rules }];
}

/** What is wrong with one requirement, or null when it holds. */
function drift(req: Requirement, value: unknown): string | null {
  const shown = (v: unknown) => (v === null ? "not set" : JSON.stringify(v));
  if (req.equals !== null && String(value) !== String(JSON.parse(req.equals))) return `${req.setting} is ${shown(value)}, baseline requires ${req.equals}`;
  if (req.not_equals !== null && String(value) === String(JSON.parse(req.not_equals))) return `${req.setting} is ${shown(value)}, which the baseline forbids`;
  const list = Array.isArray(value) ? value : [];
  const missing = req.includes ? (JSON.parse(req.includes) as string[]).filter((r) => !list.includes(normalRule(r))) : [];
  if (missing.length) return `${req.setting} rules lack ${missing.map((m) => `"${m}"`).join(", ")}`;
  const present = req.excludes ? (JSON.parse(req.excludes) as string[]).filter((r) => list.includes(normalRule(r))) : [];
  if (present.length) return `${req.setting} rules include ${present.map((m) => `"${m}"`).join(", ")}, which the baseline forbids`;
  return null;
}

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
    const population = { description: "Ingested agent settings files, merged per product, against each baseline requirement", query: "SELECT … FROM agent_settings JOIN agent_setting_rules", size: files };
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
      if (problems.length === 0) results.push(pass(product, `${product} settings (${evidence.length} file${evidence.length === 1 ? "" : "s"}) meet all ${own.length} requirements of the baseline.`, evidence));
    }
    if (results.length === 0) results.push({ outcome: "not-applicable", subject: "baselines", message: "The configuration baseline register lists no requirement.", evidence: [] });
    return { population, results };
  },
});
