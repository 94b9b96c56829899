import { z } from "zod";
import { Frequency } from "../frequency.ts";
import { fail, pass, type Rule, type RuleResult } from "../rules/define.ts";
import type { EvidenceRef } from "../evidence-ref.ts";

/**
 * Users' own rules, declared as data: the package never loads user code, so a workspace rule is
 * two SELECTs. `population.sql` selects the rows the rule is about (only counted); `failing.sql`
 * selects the failing ones with `subject` and `message` columns, plus optional `time`, `event_id`
 * (cited as evidence) or `sha` (a commit). `:start` and `:end` are bound to the period.
 * Read-only is enforced twice: the text must be one SELECT (or WITH … SELECT), and the rule
 * context refuses any statement SQLite does not report as a reader.
 */
const Select = z
  .string()
  .trim()
  .min(1)
  .transform((sql) => sql.replace(/;\s*$/, ""))
  .refine((sql) => /^(select|with)\b/i.test(sql.replace(/^(\s*--[^\n]*\n|\s*\/\*[\s\S]*?\*\/)*\s*/, "")), "must be a single SELECT (or WITH … SELECT) statement")
  .refine((sql) => !sql.includes(";"), "must be a single statement (no ';')");

export const SqlRuleSpec = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "kebab-case: lower-case letters, digits and '-'"),
  title: z.string().min(1),
  rationale: z.string().min(1),
  severity: z.enum(["low", "medium", "high", "critical"]),
  frequency: Frequency.optional(),
  sources: z.array(z.enum(["agent-log", "cloudtrail", "git", "agent-settings"])).min(1),
  registers: z.array(z.enum(["aiTools", "vendors", "policies", "configBaselines"])).default([]),
  population: z.strictObject({ description: z.string().min(1), sql: Select }),
  failing: z.strictObject({ sql: Select, passMessage: z.string().optional() }),
});
export type SqlRuleSpec = z.infer<typeof SqlRuleSpec>;

/** Findings kept per rule run; a broken query that fails every row must not flood the report. */
export const MAX_FAILING_ROWS = 1000;

interface FailingRow {
  subject?: unknown;
  message?: unknown;
  time?: unknown;
  event_id?: unknown;
  sha?: unknown;
}

export function sqlRule(spec: SqlRuleSpec): Rule {
  return {
    id: spec.id,
    title: spec.title,
    rationale: spec.rationale,
    severity: spec.severity,
    sources: spec.sources,
    registers: spec.registers,
    ...(spec.frequency ? { frequency: spec.frequency } : {}),
    evaluate(ctx) {
      const size = ctx.get<{ n: number }>(`SELECT count(*) AS n FROM (${spec.population.sql})`)!.n;
      const population = { description: spec.population.description, query: spec.population.sql, size };
      const rows = ctx.all<FailingRow>(`SELECT * FROM (${spec.failing.sql}) LIMIT ${MAX_FAILING_ROWS + 1}`);
      if (rows.length === 0) return { population, results: [pass(spec.id, spec.failing.passMessage ?? `No failing row among ${size}.`)] };
      const first = rows[0]!;
      if (!("subject" in first) || !("message" in first)) throw new Error(`failing.sql must return "subject" and "message" columns (got ${Object.keys(first).join(", ")})`);
      const evidenceOf = (r: FailingRow): EvidenceRef[] => {
        if (r.event_id !== undefined && r.event_id !== null) {
          const e = ctx.get<{ file: string; locator: string }>("SELECT f.path AS file, e.locator FROM events e JOIN source_files f ON f.id = e.file_id WHERE e.id = :id", { id: r.event_id });
          return e ? [{ ref: `event:${r.event_id}`, file: e.file, locator: e.locator }] : [];
        }
        if (typeof r.sha === "string") {
          const c = ctx.get<{ sha: string; file: string; locator: string }>("SELECT c.sha, f.path AS file, c.locator FROM commits c JOIN source_files f ON f.id = c.file_id WHERE c.sha = :sha", { sha: r.sha });
          return c ? [{ ref: `commit:${c.sha}`, file: c.file, locator: c.locator }] : [];
        }
        return [];
      };
      const results: RuleResult[] = rows.slice(0, MAX_FAILING_ROWS).map((r) => fail(String(r.subject), String(r.message), evidenceOf(r), typeof r.time === "string" ? r.time : undefined));
      if (rows.length > MAX_FAILING_ROWS) {
        results.push({ outcome: "error", subject: spec.id, message: `More than ${MAX_FAILING_ROWS} failing rows; only the first ${MAX_FAILING_ROWS} are reported.`, evidence: [] });
      }
      return { population, results };
    },
  };
}
