import type { Frequency } from "../frequency.ts";
import type { EvidenceRef } from "../evidence-ref.ts";
import type { Period } from "../period.ts";

/**
 * The rule contract. A rule is metadata plus one `evaluate`, which asks the store narrow SQL
 * questions through the read-only context it is given and returns outcomes. Rules never import
 * the store, never write, and never pull a whole population into memory.
 */
export type Outcome = "pass" | "fail" | "no-evidence" | "not-applicable" | "error";
export type Severity = "low" | "medium" | "high" | "critical";
/**
 * Where a rule's data comes from. `agent-settings` is the ingested agent settings files (a
 * configuration snapshot, not bound to the period).
 */
export type DataSource = "agent-log" | "cloudtrail" | "git" | "agent-settings";
/** Registers the workspace keeps as files, loaded into the store as temporary `register_*` tables at build time. */
export type RegisterName = "aiTools" | "vendors" | "policies" | "configBaselines";

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
  /** What the test checks on each item, e.g. "approval", and the value that passes. */
  attribute?: string;
  expected?: string;
}

/**
 * One member of a test's population with the attribute observed on it and the test's verdict:
 * the workpaper line an auditor re-performs. `key` is stable across stores (an event key, a commit
 * SHA, an ARN), never an internal row id.
 */
export interface TestedItem {
  key: string;
  observed: string;
  result: "pass" | "exception";
  /** The evidence the item would be cited with in a finding; links an exception to its finding. */
  evidence?: EvidenceRef;
  /** Figures the rule measured on the item, for a report table that lays them out as they are (never recomputes them). */
  figures?: Readonly<Record<string, string | number | null | readonly string[]>>;
}

export interface RuleEvaluation {
  population: Population;
  results: RuleResult[];
  /** Every item of the population with its verdict, when the population is small enough to list. */
  items?: TestedItem[];
}

export interface RuleContext {
  period: Period;
  /** Runs a read-only query; `:start` and `:end` are bound to the period. */
  all<T>(sql: string, params?: Record<string, unknown>): T[];
  get<T>(sql: string, params?: Record<string, unknown>): T | undefined;
  /** True when the store holds any record of that source inside the period. */
  hasData(source: DataSource): boolean;
  /** True when the workspace configures that register (an empty register is still configured). */
  hasRegister(name: RegisterName): boolean;
  /** True when the config names at least one production account, branch, path or resource pattern. */
  productionDefined: boolean;
  /** For a daily source, the UTC days of the period with records and the days in the period; null for snapshot sources. */
  coverage(source: DataSource): { days: number; of: number } | null;
  /** Why the source's data may be incomplete (a read that stopped early), one line per file; empty when complete. */
  incomplete(source: DataSource): string[];
}

export interface Rule {
  /** `<source>-<subject>-<compliant state>`, so that "true" reads as compliant. */
  id: string;
  title: string;
  rationale: string;
  severity: Severity;
  /** Sources the rule needs; without data from all of them in the period it is `no-evidence`. */
  sources: DataSource[];
  /** Registers the rule needs; when one is not configured the rule is `no-evidence`. */
  registers?: RegisterName[];
  /** How often the activity the rule tests operates; drives the audit sample size. */
  frequency?: Frequency;
  /**
   * The rule judges activity in production, as `environments.production` defines it: while that is
   * empty nothing is production, so the rule is not tested rather than passed on an empty population.
   */
  production?: boolean;
  evaluate(ctx: RuleContext): RuleEvaluation;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

export const pass = (subject: string, message: string, evidence: EvidenceRef[] = []): RuleResult => ({ outcome: "pass", subject, message, evidence });
export const fail = (subject: string, message: string, evidence: EvidenceRef[] = [], time?: string): RuleResult => ({
  outcome: "fail", subject, message, evidence, ...(time ? { time } : {}),
});

/** A register row as evidence: the register file and the row's position in it. */
export function registerRef(row: { register: string; file: string; locator: string; row: number }): EvidenceRef {
  return { ref: `register:${row.register}:${row.row}`, key: `register:${row.register}:${row.row}`, file: row.file, locator: row.locator };
}

/** SQL fragment selecting an event's evidence reference; use with `eventRef`. */
export const EVENT_REF_COLUMNS = "e.id AS event_id, e.source_kind || ':' || e.event_key AS event_key, e.locator AS locator, f.path AS file";
export const EVENT_FROM = "events e JOIN source_files f ON f.id = e.file_id";

export function eventRef(row: { event_id: number; event_key?: string; file: string; locator: string }): EvidenceRef {
  return { ref: `event:${row.event_id}`, ...(row.event_key ? { key: `event:${row.event_key}` } : {}), file: row.file, locator: row.locator };
}
