import type { Period } from "../period.ts";

/**
 * The rule contract. A rule is metadata plus one `evaluate`, which asks the store narrow SQL
 * questions through the read-only context it is given and returns outcomes. Rules never import
 * the store, never write, and never pull a whole population into memory.
 */
export type Outcome = "pass" | "fail" | "no-evidence" | "not-applicable" | "error";
export type Severity = "low" | "medium" | "high" | "critical";
export type DataSource = "agent-log" | "cloudtrail" | "git";

export interface EvidenceRef {
  /** `event:<id>` or `commit:<sha>`. */
  ref: string;
  /** Source file, relative to the workspace. */
  file: string;
  /** Line or record inside the file. */
  locator: string;
}

export interface RuleResult {
  outcome: Outcome;
  /** What the outcome is about: an identity, a commit, a resource. */
  subject: string;
  /** One sentence that explains itself. */
  message: string;
  evidence: EvidenceRef[];
  /** When the underlying occurrence happened (UTC ISO), for trends. */
  time?: string;
}

export interface Population {
  description: string;
  /** The query (or parameters) behind the population, printed for the auditor. */
  query: string;
  size: number;
}

export interface RuleEvaluation {
  population: Population;
  results: RuleResult[];
}

export interface RuleContext {
  period: Period;
  /** Runs a read-only query; `:start` and `:end` are bound to the period. */
  all<T>(sql: string, params?: Record<string, unknown>): T[];
  get<T>(sql: string, params?: Record<string, unknown>): T | undefined;
  /** True when the store holds any record of that source inside the period. */
  hasData(source: DataSource): boolean;
}

export interface Rule {
  /** `<source>-<subject>-<compliant state>`, so that "true" reads as compliant. */
  id: string;
  title: string;
  rationale: string;
  severity: Severity;
  /** Sources the rule needs; without data from all of them in the period it is `no-evidence`. */
  sources: DataSource[];
  evaluate(ctx: RuleContext): RuleEvaluation;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

export const pass = (subject: string, message: string, evidence: EvidenceRef[] = []): RuleResult => ({ outcome: "pass", subject, message, evidence });
export const fail = (subject: string, message: string, evidence: EvidenceRef[] = [], time?: string): RuleResult => ({
  outcome: "fail", subject, message, evidence, ...(time ? { time } : {}),
});

/** SQL fragment selecting an event's evidence reference; use with `evidenceOf`. */
export const EVENT_REF_COLUMNS = "e.id AS event_id, e.locator AS locator, f.path AS file";
export const EVENT_FROM = "events e JOIN source_files f ON f.id = e.file_id";

export function eventRef(row: { event_id: number; file: string; locator: string }): EvidenceRef {
  return { ref: `event:${row.event_id}`, file: row.file, locator: row.locator };
}
