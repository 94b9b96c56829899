import { createHash } from "node:crypto";
import type { Catalog, CatalogControl } from "./catalog/index.ts";
import type { Period } from "./period.ts";
import type { DataSource, Outcome, Population, Rule, RuleContext, RuleResult, Severity } from "./rules/define.ts";
import type { Db } from "./store/index.ts";

export type ControlStatus = "effective" | "exceptions" | "deficient" | "not-tested" | "manual";

export interface RuleRun {
  id: string;
  title: string;
  rationale: string;
  severity: Severity;
  sources: DataSource[];
  controlIds: string[];
  /** The rule's overall outcome: fail > error > no-evidence > pass > not-applicable. */
  outcome: Outcome;
  population: Population | null;
  results: RuleResult[];
  missingSources: DataSource[];
  error?: string;
}

export interface Finding {
  /** Stable across builds for the same occurrence: rule, subject and message. */
  id: string;
  ruleId: string;
  controlIds: string[];
  severity: Severity;
  subject: string;
  message: string;
  evidence: RuleResult["evidence"];
  time?: string;
}

export interface ControlResult {
  id: string;
  framework: string;
  frameworkName: string;
  title: string;
  description: string;
  frequency: CatalogControl["frequency"];
  related: string[];
  rules: string[];
  status: ControlStatus;
  /** One sentence: why this status. */
  reason: string;
  manualReason?: string;
  findings: number;
}

export interface Coverage {
  tested: number;
  inScope: number;
  ratio: number;
}

export interface Evaluation {
  rules: RuleRun[];
  controls: ControlResult[];
  findings: Finding[];
  coverage: { overall: Coverage; byFramework: Record<string, Coverage> };
}

const SOURCE_PRESENCE: Record<DataSource, string> = {
  "agent-log": "SELECT 1 FROM agent_actions WHERE time >= :start AND time < :end LIMIT 1",
  cloudtrail: "SELECT 1 FROM events WHERE source_kind = 'cloudtrail' AND time >= :start AND time < :end LIMIT 1",
  git: "SELECT 1 FROM commits WHERE committer_time >= :start AND committer_time < :end LIMIT 1",
};

/** A read-only window on the store for rules: only SELECTs run, and the period is bound for them. */
export function createRuleContext(db: Db, period: Period): RuleContext {
  // better-sqlite3 ignores named parameters a statement does not use, so the period is always bound.
  const bind = (_sql: string, params: Record<string, unknown> = {}) => ({ start: period.startIso, end: period.endIso, ...params });
  const prepare = (sql: string) => {
    const stmt = db.prepare(sql);
    if (!stmt.reader) throw new Error(`rules may only read: ${sql.slice(0, 60)}`);
    return stmt;
  };
  const presence = new Map<DataSource, boolean>();
  return {
    period,
    all: <T>(sql: string, params?: Record<string, unknown>) => prepare(sql).all(bind(sql, params)) as T[],
    get: <T>(sql: string, params?: Record<string, unknown>) => prepare(sql).get(bind(sql, params)) as T | undefined,
    hasData(source) {
      if (!presence.has(source)) presence.set(source, prepare(SOURCE_PRESENCE[source]).get(bind(SOURCE_PRESENCE[source])) !== undefined);
      return presence.get(source)!;
    },
  };
}

const OUTCOME_ORDER: Outcome[] = ["fail", "error", "no-evidence", "pass", "not-applicable"];

function overallOutcome(results: RuleResult[]): Outcome {
  for (const o of OUTCOME_ORDER) if (results.some((r) => r.outcome === o)) return o;
  return "not-applicable";
}

export function runRule(rule: Rule, ctx: RuleContext, controlIds: string[]): RuleRun {
  const base = { id: rule.id, title: rule.title, rationale: rule.rationale, severity: rule.severity, sources: rule.sources, controlIds };
  const missingSources = rule.sources.filter((s) => !ctx.hasData(s));
  if (missingSources.length) {
    return {
      ...base, outcome: "no-evidence", population: null, missingSources,
      results: [{ outcome: "no-evidence", subject: rule.id, message: `No ${missingSources.join(", ")} data in ${ctx.period.label}: the rule could not be tested.`, evidence: [] }],
    };
  }
  try {
    const { population, results } = rule.evaluate(ctx);
    return { ...base, outcome: overallOutcome(results), population, results, missingSources };
  } catch (error) {
    // One rule's crash is that rule's `error` outcome; the run and the other rules go on.
    const message = (error as Error).message;
    return { ...base, outcome: "error", population: null, missingSources, error: message, results: [{ outcome: "error", subject: rule.id, message: `Rule failed: ${message}`, evidence: [] }] };
  }
}

function findingId(ruleId: string, r: RuleResult): string {
  return createHash("sha256").update(`${ruleId}\n${r.subject}\n${r.message}`).digest("hex").slice(0, 12);
}

function controlStatus(control: CatalogControl, runs: RuleRun[]): { status: ControlStatus; reason: string } {
  if (control.rules.length === 0) return { status: "manual", reason: control.manualReason ?? "Tested by hand." };
  const failing = runs.filter((r) => r.outcome === "fail");
  if (failing.length) return { status: "deficient", reason: `Failing: ${failing.map((r) => r.id).join(", ")}.` };
  const untested = runs.filter((r) => r.outcome === "error" || r.outcome === "no-evidence" || r.outcome === "not-applicable");
  if (untested.length) {
    return { status: "not-tested", reason: `Insufficient evidence: ${untested.map((r) => `${r.id} (${r.outcome}${r.missingSources.length ? `: no ${r.missingSources.join(", ")} data` : ""})`).join(", ")}.` };
  }
  return { status: "effective", reason: `All ${runs.length} rule${runs.length > 1 ? "s" : ""} passed on the period's evidence.` };
}

/** Evaluates every rule the catalog names against the store for one period. Reads only. */
export function evaluate(db: Db, catalog: Catalog, rules: ReadonlyMap<string, Rule>, period: Period): Evaluation {
  const ctx = createRuleContext(db, period);
  const runs: RuleRun[] = [];
  for (const [ruleId, controlIds] of [...catalog.controlsByRule.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const rule = rules.get(ruleId);
    if (!rule) throw new Error(`catalog names unknown rule ${ruleId}`);
    runs.push(runRule(rule, ctx, [...controlIds].sort()));
  }
  const byId = new Map(runs.map((r) => [r.id, r]));
  const findings: Finding[] = runs
    .flatMap((run) =>
      run.results
        .filter((r) => r.outcome === "fail")
        .map((r) => ({
          id: findingId(run.id, r), ruleId: run.id, controlIds: run.controlIds, severity: run.severity, subject: r.subject,
          message: r.message, evidence: r.evidence, ...(r.time ? { time: r.time } : {}),
        })),
    )
    .sort((a, b) => a.ruleId.localeCompare(b.ruleId) || (a.time ?? "").localeCompare(b.time ?? "") || a.id.localeCompare(b.id));
  const controls: ControlResult[] = catalog.controls.map((c) => {
    const { status, reason } = controlStatus(c, c.rules.map((id) => byId.get(id)!));
    return {
      id: c.id, framework: c.framework, frameworkName: c.frameworkName, title: c.title, description: c.description, frequency: c.frequency,
      related: c.related, rules: c.rules, status, reason, ...(c.manualReason ? { manualReason: c.manualReason } : {}),
      findings: findings.filter((f) => f.controlIds.includes(c.id)).length,
    };
  });
  return { rules: runs, controls, findings, coverage: coverageOf(controls) };
}

const TESTED: ControlStatus[] = ["effective", "exceptions", "deficient"];

/** Coverage = controls with sufficient automated evidence ÷ controls in scope (manual ones included in scope). */
export function coverageOf(controls: Pick<ControlResult, "framework" | "status">[]): Evaluation["coverage"] {
  const cov = (list: typeof controls): Coverage => {
    const tested = list.filter((c) => TESTED.includes(c.status)).length;
    return { tested, inScope: list.length, ratio: list.length ? tested / list.length : 0 };
  };
  const frameworks = [...new Set(controls.map((c) => c.framework))].sort();
  return { overall: cov(controls), byFramework: Object.fromEntries(frameworks.map((f) => [f, cov(controls.filter((c) => c.framework === f))])) };
}
