import type { RuleContext } from "../define.ts";
import type { EvidenceRef } from "../../evidence-ref.ts";

export interface Requirement { baseline: string; product: string; setting: string; equals: string | null; not_equals: string | null; includes: string | null; excludes: string | null; rationale: string | null }

/**
 * Scalar settings are judged file by file: the store does not say which files belong to one
 * project, so precedence cannot be applied across them, and a single file that sets bypass mode is
 * drift wherever it sits. Rule lists are judged on the union of the product's files (deny rules
 * usually live in shared settings, local files only add allows). `bypassDisabled` is one switch for
 * the product: it holds when any file (normally managed settings) disables bypass mode.
 */
export const PER_FILE: Record<string, string> = { defaultMode: "default_mode", sandbox: "sandbox", bypassDefault: "bypass_default", destructiveAllowed: "destructive_allowed" };
const BOOLEAN = new Set(["bypassDefault", "bypassDisabled"]);
/** `Bash(npm run test:*)` is the legacy spelling of `Bash(npm run test *)`. */
const normalRule = (r: string) => r.trim().replace(/:\*\)$/, " *)");

interface FileValue { evidence: EvidenceRef; value: unknown }

/** The values a requirement is judged on: one per file that sets the setting, or one for the whole product. */
export function values(ctx: RuleContext, product: string, setting: string, all: EvidenceRef[]): FileValue[] {
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
export function drift(req: Requirement, value: unknown): string | null {
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
