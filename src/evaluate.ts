import { createHash } from "node:crypto";
import type { Catalog, CatalogControl } from "./catalog/index.ts";
import type { Frequency } from "./catalog/schema.ts";
import { chainFor, type ChainLink } from "./correlate.ts";
import type { Period } from "./period.ts";
import { acceptanceFor, acceptanceState, lastDayOf, type AcceptanceRef } from "./registers/acceptance.ts";
import type { RegisterRow } from "./registers/read.ts";
import type { RiskAcceptance } from "./registers/schema.ts";
import type { DataSource, Outcome, Population, RegisterName, Rule, RuleContext, RuleResult, Severity } from "./rules/define.ts";
import type { Db } from "./store/index.ts";

export type ControlStatus = "effective" | "exceptions" | "deficient" | "not-tested" | "manual";

export interface RuleRun {
  id: string;
  title: string;
  rationale: string;
  severity: Severity;
  sources: DataSource[];
  registers: RegisterName[];
  frequency: Frequency | null;
  controlIds: string[];
  /** The rule's overall outcome: fail > error > no-evidence > pass > not-applicable. */
  outcome: Outcome;
  population: Population | null;
  results: RuleResult[];
  missingSources: DataSource[];
  missingRegisters: RegisterName[];
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
  /** The rule's evidence first, then the correlated chain's links not already cited. */
  evidence: RuleResult["evidence"];
  time?: string;
  /** `accepted` when a risk acceptance in force at the period end covers it; otherwise `open`. */
  state: "open" | "accepted";
  /** The acceptance that decided the state (an expired or pending one explains why it is open). */
  acceptance?: AcceptanceRef;
  /** prompt -> tool call -> CloudTrail -> commit, when the finding's evidence links to a session. */
  chain?: ChainLink[];
}

export interface ControlResult {
  id: string;
  framework: string;
  frameworkName: string;
  title: string;
  description: string;
  /** Full criterion text, when the workspace supplies it. */
  text?: string;
  frequency: CatalogControl["frequency"];
  related: string[];
  rules: string[];
  status: ControlStatus;
  /** One sentence: why this status. */
  reason: string;
  manualReason?: string;
  /** Findings of this control, open and accepted. */
  findings: number;
  openFindings: number;
  acceptedFindings: number;
  /** Acceptances that cover (or used to cover) this control's findings. */
  acceptances: AcceptanceRef[];
  /** Per-control coverage: rules that had the data to reach a verdict (pass or fail) out of all its rules. */
  coverage: { rules: number; sufficient: number };
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
  /** Every acceptance with its status at the period end and how many findings it covers. */
  acceptances: (AcceptanceRef & { findings: number })[];
  /** Controls left out by the workspace scope. */
  outOfScope: string[];
}

export interface EvaluateOptions {
  acceptances?: readonly RegisterRow<RiskAcceptance>[];
  /** Attach correlation chains to findings (default true). */
  correlate?: boolean;
}

const SOURCE_PRESENCE: Record<Exclude<DataSource, "agent-settings">, string> = {
  "agent-log": "SELECT 1 FROM agent_actions WHERE time >= :start AND time < :end LIMIT 1",
  // Stored or summarised calls (issue 10): a period whose calls were all summarised still has CloudTrail evidence.
  cloudtrail: "SELECT 1 FROM cloudtrail_activity WHERE time >= :start AND time < :end LIMIT 1",
  git: "SELECT 1 FROM commits WHERE committer_time >= :start AND committer_time < :end LIMIT 1",
};

/** A read-only window on the store for rules: only SELECTs run, and the period is bound for them. */
export function createRuleContext(db: Db, period: Period): RuleContext {
  // better-sqlite3 ignores named parameters a statement does not use, so the period is always bound.
  const bind = (params: Record<string, unknown> = {}) => ({ start: period.startIso, end: period.endIso, ...params });
  const prepare = (sql: string) => {
    const stmt = db.prepare(sql);
    if (!stmt.reader) throw new Error(`rules may only read: ${sql.slice(0, 60)}`);
    return stmt;
  };
  const exists = (sql: string, params: Record<string, unknown> = {}) => {
    // A table another part of the tool has not created yet (agent settings, registers) means "no data".
    try {
      return prepare(sql).get(bind(params)) !== undefined;
    } catch {
      return false;
    }
  };
  const presence = new Map<DataSource, boolean>();
  return {
    period,
    all: <T>(sql: string, params?: Record<string, unknown>) => prepare(sql).all(bind(params)) as T[],
    get: <T>(sql: string, params?: Record<string, unknown>) => prepare(sql).get(bind(params)) as T | undefined,
    hasData(source) {
      if (!presence.has(source)) {
        // Settings files are a configuration snapshot: any ingested file counts, whatever the period.
        presence.set(source, source === "agent-settings" ? exists("SELECT 1 FROM agent_settings LIMIT 1") : exists(SOURCE_PRESENCE[source]));
      }
      return presence.get(source)!;
    },
    hasRegister: (name) => exists("SELECT 1 FROM temp.registers WHERE name = :name", { name }),
  };
}

const OUTCOME_ORDER: Outcome[] = ["fail", "error", "no-evidence", "pass", "not-applicable"];

function overallOutcome(results: RuleResult[]): Outcome {
  for (const o of OUTCOME_ORDER) if (results.some((r) => r.outcome === o)) return o;
  return "not-applicable";
}

const REGISTER_KEYS: Record<RegisterName, string> = { aiTools: "registers.aiTools", vendors: "registers.vendors", policies: "registers.policies", configBaselines: "registers.configBaselines" };

export function runRule(rule: Rule, ctx: RuleContext, controlIds: string[]): RuleRun {
  const base = {
    id: rule.id, title: rule.title, rationale: rule.rationale, severity: rule.severity, sources: rule.sources, registers: rule.registers ?? [],
    frequency: rule.frequency ?? null, controlIds,
  };
  const missingSources = rule.sources.filter((s) => !ctx.hasData(s));
  const missingRegisters = (rule.registers ?? []).filter((r) => !ctx.hasRegister(r));
  if (missingSources.length || missingRegisters.length) {
    const missing = [
      ...(missingSources.length ? [`no ${missingSources.join(", ")} data in ${ctx.period.label}`] : []),
      ...(missingRegisters.length ? [`no ${missingRegisters.map((r) => REGISTER_KEYS[r]).join(", ")} register configured`] : []),
    ];
    return {
      ...base, outcome: "no-evidence", population: null, missingSources, missingRegisters,
      results: [{ outcome: "no-evidence", subject: rule.id, message: `${missing.join("; ")}: the rule could not be tested.`.replace(/^./, (c) => c.toUpperCase()), evidence: [] }],
    };
  }
  try {
    const { population, results } = rule.evaluate(ctx);
    return { ...base, outcome: overallOutcome(results), population, results, missingSources, missingRegisters };
  } catch (error) {
    // One rule's crash is that rule's `error` outcome; the run and the other rules go on.
    const message = (error as Error).message;
    return {
      ...base, outcome: "error", population: null, missingSources, missingRegisters, error: message,
      results: [{ outcome: "error", subject: rule.id, message: `Rule failed: ${message}`, evidence: [] }],
    };
  }
}

function findingId(ruleId: string, r: RuleResult): string {
  return createHash("sha256").update(`${ruleId}\n${r.subject}\n${r.message}`).digest("hex").slice(0, 12);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * A control's status from its rules and its findings' acceptance: any open finding makes it
 * deficient; otherwise a rule without a verdict (no evidence, error) makes it not-tested, never
 * effective; otherwise accepted findings make it `exceptions`; otherwise every rule passed.
 */
function controlStatus(control: CatalogControl, runs: RuleRun[], findings: Finding[]): { status: ControlStatus; reason: string } {
  if (control.rules.length === 0) return { status: "manual", reason: control.manualReason ?? "Tested by hand." };
  const open = findings.filter((f) => f.state === "open");
  if (open.length) {
    const rules = [...new Set(open.map((f) => f.ruleId))];
    const lapsed = [...new Map(open.filter((f) => f.acceptance).map((f) => [f.acceptance!.id, f.acceptance!])).values()];
    const why = lapsed.map((a) => ` Acceptance ${a.id} is ${a.status}${a.status === "expired" ? ` (expired ${a.expires})` : a.status === "pending" ? ` (approved ${a.approved}, after the period)` : ""}.`).join("");
    return { status: "deficient", reason: `${plural(open.length, "open finding")} from ${rules.join(", ")}.${why}` };
  }
  const untested = runs.filter((r) => r.outcome === "error" || r.outcome === "no-evidence");
  if (untested.length) {
    return {
      status: "not-tested",
      reason: `Insufficient evidence: ${untested.map((r) => `${r.id} (${r.outcome}${r.missingSources.length ? `: no ${r.missingSources.join(", ")} data` : ""}${r.missingRegisters.length ? `: no ${r.missingRegisters.join(", ")} register` : ""})`).join(", ")}.`,
    };
  }
  if (runs.every((r) => r.outcome === "not-applicable")) return { status: "not-tested", reason: "Nothing to test in the period: every rule was not applicable." };
  const accepted = findings.filter((f) => f.state === "accepted");
  if (accepted.length) {
    const ids = [...new Set(accepted.map((f) => `${f.acceptance!.id} (expires ${f.acceptance!.expires})`))];
    return { status: "exceptions", reason: `${plural(accepted.length, "finding")} accepted under ${ids.join(", ")}; no open findings.` };
  }
  return { status: "effective", reason: `${runs.length === 1 ? "Its rule" : `All ${runs.length} rules`} passed on the period's evidence.` };
}

/** Evaluates every rule the catalog names against the store for one period. Reads only. */
export function evaluate(db: Db, catalog: Catalog, rules: ReadonlyMap<string, Rule>, period: Period, options: EvaluateOptions = {}): Evaluation {
  const ctx = createRuleContext(db, period);
  const runs: RuleRun[] = [];
  for (const [ruleId, controlIds] of [...catalog.controlsByRule.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const rule = rules.get(ruleId);
    if (!rule) throw new Error(`catalog names unknown rule ${ruleId}`);
    runs.push(runRule(rule, ctx, [...controlIds].sort()));
  }
  const byId = new Map(runs.map((r) => [r.id, r]));
  const lastDay = lastDayOf(period);
  const acceptances = options.acceptances ?? [];
  const findings: Finding[] = runs
    .flatMap((run) =>
      run.results
        .filter((r) => r.outcome === "fail")
        .map((r): Finding => {
          const base = { id: findingId(run.id, r), ruleId: run.id, controlIds: run.controlIds, severity: run.severity, subject: r.subject, message: r.message, evidence: [...r.evidence] };
          const acceptance = acceptanceFor(acceptances, base, lastDay);
          return { ...base, ...(r.time ? { time: r.time } : {}), state: acceptance?.status === "active" ? "accepted" : "open", ...(acceptance ? { acceptance } : {}) };
        }),
    )
    .sort((a, b) => a.ruleId.localeCompare(b.ruleId) || (a.time ?? "").localeCompare(b.time ?? "") || a.id.localeCompare(b.id));
  if (options.correlate !== false) attachChains(db, findings);
  const controls: ControlResult[] = catalog.controls.map((c) => {
    const own = findings.filter((f) => f.controlIds.includes(c.id));
    const controlRuns = c.rules.map((id) => byId.get(id)!);
    const { status, reason } = controlStatus(c, controlRuns, own);
    return {
      id: c.id, framework: c.framework, frameworkName: c.frameworkName, title: c.title, description: c.description, ...(c.text ? { text: c.text } : {}),
      frequency: c.frequency, related: c.related, rules: c.rules, status, reason, ...(c.manualReason ? { manualReason: c.manualReason } : {}),
      findings: own.length, openFindings: own.filter((f) => f.state === "open").length, acceptedFindings: own.filter((f) => f.state === "accepted").length,
      acceptances: [...new Map(own.filter((f) => f.acceptance).map((f) => [f.acceptance!.id, f.acceptance!])).values()],
      coverage: { rules: controlRuns.length, sufficient: controlRuns.filter((r) => r.outcome === "pass" || r.outcome === "fail").length },
    };
  });
  const acceptanceSummary = acceptances
    .map((a) => ({
      id: a.value.id, status: acceptanceState(a.value, lastDay), approved: a.value.approved, expires: a.value.expires, owner: a.value.owner,
      approver: a.value.approver, file: a.file, locator: a.locator, findings: findings.filter((f) => f.acceptance?.id === a.value.id).length,
    }))
    .sort((x, y) => x.id.localeCompare(y.id));
  return { rules: runs, controls, findings, coverage: coverageOf(controls), acceptances: acceptanceSummary, outOfScope: catalog.outOfScope };
}

/** Correlation is the costliest part of a finding; beyond this many, findings.csv still lists the rule's own evidence. */
const MAX_CHAINS = 500;

/** Adds each finding's correlated chain and cites the chain's links as evidence too. */
function attachChains(db: Db, findings: Finding[]): void {
  for (const f of findings.slice(0, MAX_CHAINS)) {
    const chain = chainFor(db, f.evidence);
    if (chain.length < 2) continue;
    f.chain = chain;
    const cited = new Set(f.evidence.map((e) => e.ref));
    for (const link of chain) {
      if (cited.has(link.ref)) continue;
      cited.add(link.ref);
      f.evidence.push({ ref: link.ref, file: link.file, locator: link.locator, role: link.role, ...(link.confidence ? { confidence: link.confidence } : {}) });
    }
  }
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
