import { createHash } from "node:crypto";
import type { Catalog, CatalogControl } from "./catalog/index.ts";
import type { Frequency } from "./frequency.ts";
import { chainFor, type ChainLink } from "./correlate.ts";
import type { Period } from "./period.ts";
import { acceptanceFor, acceptanceState, lastDayOf, type AcceptanceRef } from "./registers/acceptance.ts";
import type { RegisterRow } from "./registers/read.ts";
import type { RiskAcceptance } from "./registers/schema.ts";
import type { DataSource, Outcome, Population, RegisterName, Rule, RuleContext, RuleEvaluation, RuleResult, Severity, TestedItem } from "./rules/define.ts";
import { daysWithRecords, isDailySource, periodDays } from "./store/coverage.ts";
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
  /** The rule judges production activity (not tested while environments.production is undefined). */
  production: boolean;
  /** The rule's overall outcome: fail > error > no-evidence > pass > not-applicable. */
  outcome: Outcome;
  population: Population | null;
  results: RuleResult[];
  /** The population's items with the verdict on each (the workpaper), or null when the rule tested a population too large to list. */
  items: TestedItem[] | null;
  missingSources: DataSource[];
  missingRegisters: RegisterName[];
  /** Why the population may be incomplete: a source it reads stopped early. Empty when complete. */
  incomplete: string[];
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
  /** Contradictions found while correlating (an attribution conflict), stated beside the finding. */
  conflicts?: string[];
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
  /** For a manual control: the documents or records to attach as its evidence. */
  attach?: string[];
  /** Findings of this control, open and accepted. */
  findings: number;
  openFindings: number;
  acceptedFindings: number;
  /** Acceptances that cover (or used to cover) this control's findings. */
  acceptances: AcceptanceRef[];
  /** Per-control coverage: rules that had the data to reach a verdict (pass, fail or not applicable) out of all its rules. */
  coverage: { rules: number; sufficient: number };
  /** Every rule reached a verdict: the control counts as tested, whatever the findings' acceptance. */
  tested: boolean;
  /** Gaps in the populations its rules read (sources that stopped early). */
  incomplete: string[];
}

export interface Coverage {
  tested: number;
  inScope: number;
  ratio: number;
  /** Rule runs with a verdict (pass, fail or not applicable) out of rule runs mapped to these controls; absent in baselines written before it. */
  rules?: { sufficient: number; mapped: number };
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
  /** Criteria the catalog lists as outside this tool's subject, with why: what the package does not cover. */
  notInScope?: { id: string; title: string; reason: string; framework: string }[];
}

export interface EvaluateOptions {
  acceptances?: readonly RegisterRow<RiskAcceptance>[];
  /** Whether `environments.production` names anything; rules about production are not tested while it does not (default true). */
  productionDefined?: boolean;
  /** Attach correlation chains to findings (default true). */
  correlate?: boolean;
}

const SOURCE_PRESENCE: Record<Exclude<DataSource, "agent-settings">, string> = {
  "agent-log": "SELECT 1 FROM agent_actions WHERE time >= :start AND time < :end LIMIT 1",
  // Stored or summarised calls (storage.cloudtrail.mode: summarise): a period whose calls were all summarised still has CloudTrail evidence.
  cloudtrail: "SELECT 1 FROM cloudtrail_activity WHERE time >= :start AND time < :end LIMIT 1",
  git: "SELECT 1 FROM commits WHERE committer_time >= :start AND committer_time < :end LIMIT 1",
};

/** Which stored source kinds feed each data source a rule can declare. */
function dataSourceOf(kind: string): DataSource {
  if (kind === "cloudtrail" || kind === "iam") return "cloudtrail";
  if (kind === "git" || kind === "github-pull-requests" || kind === "gitlab-merge-requests") return "git";
  if (kind === "agent-settings") return "agent-settings";
  return "agent-log";
}

/** Per data source, why files feeding it stopped early (`source_files.incomplete`, when the store has the column). */
function incompleteSources(db: Db): Map<DataSource, string[]> {
  const out = new Map<DataSource, string[]>();
  const columns = db.prepare("SELECT name FROM pragma_table_info('source_files')").all() as { name: string }[];
  if (!columns.some((c) => c.name === "incomplete")) return out;
  const rows = db.prepare("SELECT kind, path, incomplete FROM source_files WHERE incomplete IS NOT NULL ORDER BY path").all() as { kind: string; path: string; incomplete: string }[];
  for (const r of rows) {
    const source = dataSourceOf(r.kind);
    out.set(source, [...(out.get(source) ?? []), `${r.path}: ${r.incomplete}`]);
  }
  return out;
}

/** A read-only window on the store for rules: only SELECTs run, and the period is bound for them. */
export function createRuleContext(db: Db, period: Period, productionDefined = true): RuleContext {
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
  const days = periodDays(period);
  const coverage = new Map<DataSource, { days: number; of: number } | null>();
  let incomplete: Map<DataSource, string[]> | undefined;
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
    productionDefined,
    coverage(source) {
      if (!isDailySource(source)) return null;
      if (!coverage.has(source)) {
        // One scan per source: the days query reads every row of the period (a month of CloudTrail is millions).
        const covered = daysWithRecords(db, source, period);
        coverage.set(source, { days: days.filter((d) => covered.has(d)).length, of: days.length });
      }
      return coverage.get(source)!;
    },
    incomplete(source) {
      incomplete ??= incompleteSources(db);
      return incomplete.get(source) ?? [];
    },
  };
}

const OUTCOME_ORDER: Outcome[] = ["fail", "error", "no-evidence", "pass", "not-applicable"];

function overallOutcome(results: RuleResult[]): Outcome {
  for (const o of OUTCOME_ORDER) if (results.some((r) => r.outcome === o)) return o;
  return "not-applicable";
}

const REGISTER_KEYS: Record<RegisterName, string> = { aiTools: "registers.aiTools", vendors: "registers.vendors", policies: "registers.policies", configBaselines: "registers.configBaselines" };

const capitalised = (text: string) => text.replace(/^./, (c) => c.toUpperCase());

/** The rule could not be tested: one `no-evidence` result saying why. */
function notTested(base: Omit<RuleRun, "outcome" | "population" | "results" | "items" | "missingSources" | "missingRegisters" | "incomplete">, why: string, extra: Partial<RuleRun> = {}): RuleRun {
  return {
    ...base, outcome: "no-evidence", population: null, items: null, missingSources: [], missingRegisters: [], incomplete: [], ...extra,
    results: [{ outcome: "no-evidence", subject: base.id, message: `${capitalised(why)}: the rule could not be tested.`, evidence: [] }],
  };
}

/**
 * An empty population proves that nothing happened only when every daily source the rule reads
 * has records on each day of the period; otherwise the silence may be missing logs. Returns why
 * not, or null when the sources cover the period.
 */
function uncoveredSources(rule: Rule, ctx: RuleContext): string | null {
  const gaps = rule.sources.flatMap((s) => {
    const c = ctx.coverage(s);
    return c && c.days < c.of ? [`${s} records cover ${c.days} of the ${c.of} days`] : [];
  });
  return gaps.length ? gaps.join(" and ") : null;
}

/**
 * The tested items: the rule's own list, or, for a rule that judges each member of its population
 * with one result (a principal, a register row, a folder), its results read as items.
 */
function itemsOf({ population, results, items }: RuleEvaluation): TestedItem[] | null {
  if (items) return items;
  const judged = results.filter((r) => r.outcome === "pass" || r.outcome === "fail");
  if (population.size === 0 || judged.length !== results.length || judged.length !== population.size) return null;
  return judged.map((r) => ({
    key: r.subject, observed: r.message, result: r.outcome === "pass" ? "pass" : "exception", ...(r.evidence[0] ? { evidence: r.evidence[0] } : {}),
  }));
}

export function runRule(rule: Rule, ctx: RuleContext, controlIds: string[]): RuleRun {
  const base = {
    id: rule.id, title: rule.title, rationale: rule.rationale, severity: rule.severity, sources: rule.sources, registers: rule.registers ?? [],
    frequency: rule.frequency ?? null, controlIds, production: rule.production ?? false,
  };
  const missingSources = rule.sources.filter((s) => !ctx.hasData(s));
  const missingRegisters = (rule.registers ?? []).filter((r) => !ctx.hasRegister(r));
  if (missingSources.length || missingRegisters.length) {
    const missing = [
      ...(missingSources.length ? [`no ${missingSources.join(", ")} data in ${ctx.period.label}`] : []),
      ...(missingRegisters.length ? [`no ${missingRegisters.map((r) => REGISTER_KEYS[r]).join(", ")} register configured`] : []),
    ];
    return notTested(base, missing.join("; "), { missingSources, missingRegisters });
  }
  if (rule.production && !ctx.productionDefined) {
    return notTested(base, "the config's environments.production names no AWS account, path or resource pattern, so no activity can be told to be in production");
  }
  const incomplete = [...new Set(rule.sources.flatMap((s) => ctx.incomplete(s)))];
  try {
    const evaluation = rule.evaluate(ctx);
    const { population, results } = evaluation;
    const outcome = overallOutcome(results);
    if (outcome === "pass" && population.size === 0) {
      const uncovered = uncoveredSources(rule, ctx);
      if (uncovered) {
        return {
          ...notTested(base, `its population (${population.description.replace(/^./, (c) => c.toLowerCase())}) is empty and ${uncovered} of ${ctx.period.label}, so an empty population does not show that nothing happened`),
          population,
          incomplete,
        };
      }
    }
    return { ...base, outcome, population, results, items: itemsOf(evaluation), missingSources, missingRegisters, incomplete };
  } catch (error) {
    // One rule's crash is that rule's `error` outcome; the run and the other rules go on.
    const message = (error as Error).message;
    return {
      ...base, outcome: "error", population: null, items: null, missingSources, missingRegisters, incomplete, error: message,
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
 * deficient; otherwise accepted findings make it `exceptions` (an accepted exception is still a
 * tested exception); otherwise a rule without a verdict (no evidence, error) makes it not-tested,
 * never effective; otherwise a population that may be incomplete makes it `exceptions` at best;
 * otherwise every rule passed on complete data.
 */
function controlStatus(control: CatalogControl, runs: RuleRun[], findings: Finding[]): { status: ControlStatus; reason: string } {
  if (control.rules.length === 0) return { status: "manual", reason: control.manualReason ?? "Tested by hand." };
  const untested = runs.filter((r) => r.outcome === "error" || r.outcome === "no-evidence");
  const untestedNote = untested.length ? ` ${untested.length} of ${runs.length} rules could not be tested: ${untested.map((r) => r.id).join(", ")}.` : "";
  const open = findings.filter((f) => f.state === "open");
  if (open.length) {
    const rules = [...new Set(open.map((f) => f.ruleId))];
    const lapsed = [...new Map(open.filter((f) => f.acceptance).map((f) => [f.acceptance!.id, f.acceptance!])).values()];
    const why = lapsed.map((a) => ` Acceptance ${a.id} is ${a.status}${a.status === "expired" ? ` (expired ${a.expires})` : a.status === "pending" ? ` (approved ${a.approved}, after the period)` : ""}.`).join("");
    return { status: "deficient", reason: `${plural(open.length, "open finding")} from ${rules.join(", ")}.${why}${untestedNote}` };
  }
  const accepted = findings.filter((f) => f.state === "accepted");
  if (accepted.length) {
    const ids = [...new Set(accepted.map((f) => `${f.acceptance!.id} (expires ${f.acceptance!.expires})`))];
    return { status: "exceptions", reason: `${plural(accepted.length, "finding")} accepted under ${ids.join(", ")}; no open findings.${untestedNote}` };
  }
  if (untested.length) {
    return {
      status: "not-tested",
      reason: `Insufficient evidence: ${untested.map((r) => `${r.id} (${r.outcome}${r.missingSources.length ? `: no ${r.missingSources.join(", ")} data` : ""}${r.missingRegisters.length ? `: no ${r.missingRegisters.join(", ")} register` : ""})`).join(", ")}.`,
    };
  }
  if (runs.every((r) => r.outcome === "not-applicable")) return { status: "not-tested", reason: "Nothing to test in the period: every rule was not applicable." };
  const gaps = [...new Set(runs.flatMap((r) => r.incomplete))];
  if (gaps.length) return { status: "exceptions", reason: `Every rule passed, but on a population that may be incomplete: ${gaps.join("; ")}.` };
  return { status: "effective", reason: `${runs.length === 1 ? "Its rule" : `All ${runs.length} rules`} passed on the period's evidence.` };
}

/** Evaluates every rule the catalog names against the store for one period. Reads only. */
export function evaluate(db: Db, catalog: Catalog, rules: ReadonlyMap<string, Rule>, period: Period, options: EvaluateOptions = {}): Evaluation {
  const ctx = createRuleContext(db, period, options.productionDefined ?? true);
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
  const ofControl = findingsByControl(findings);
  const controls: ControlResult[] = catalog.controls.map((c) => {
    const own = ofControl.get(c.id) ?? [];
    const controlRuns = c.rules.map((id) => byId.get(id)!);
    const { status, reason } = controlStatus(c, controlRuns, own);
    // Not applicable is a verdict on the evidence (nothing to judge), so it counts as evidence; but a
    // control is tested only when at least one rule judged something.
    const sufficient = controlRuns.filter((r) => r.outcome === "pass" || r.outcome === "fail" || r.outcome === "not-applicable").length;
    return {
      id: c.id, framework: c.framework, frameworkName: c.frameworkName, title: c.title, description: c.description, ...(c.text ? { text: c.text } : {}),
      frequency: c.frequency, related: c.related, rules: c.rules, status, reason, ...(c.manualReason ? { manualReason: c.manualReason } : {}), ...(c.attach?.length ? { attach: c.attach } : {}),
      findings: own.length, openFindings: own.filter((f) => f.state === "open").length, acceptedFindings: own.filter((f) => f.state === "accepted").length,
      acceptances: [...new Map(own.filter((f) => f.acceptance).map((f) => [f.acceptance!.id, f.acceptance!])).values()],
      coverage: { rules: controlRuns.length, sufficient },
      tested: controlRuns.length > 0 && sufficient === controlRuns.length && controlRuns.some((r) => r.outcome === "pass" || r.outcome === "fail"),
      incomplete: [...new Set(controlRuns.flatMap((r) => r.incomplete))],
    };
  });
  const acceptanceSummary = acceptances
    .map((a) => ({
      id: a.value.id, status: acceptanceState(a.value, lastDay), approved: a.value.approved, expires: a.value.expires, owner: a.value.owner,
      approver: a.value.approver, file: a.file, locator: a.locator, findings: findings.filter((f) => f.acceptance?.id === a.value.id).length,
    }))
    .sort((x, y) => x.id.localeCompare(y.id));
  return {
    rules: runs, controls, findings, coverage: coverageOf(controls), acceptances: acceptanceSummary, outOfScope: catalog.outOfScope,
    notInScope: (catalog.notInScope ?? []).map((n) => ({ id: n.id, title: n.title, reason: n.reason, framework: n.frameworkName })),
  };
}

/**
 * Each control's findings, in the findings' order, from one pass over them: filtering every
 * finding once per control costs controls × findings, tens of thousands of findings in a month.
 */
export function findingsByControl(findings: readonly Finding[]): ReadonlyMap<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const f of findings) {
    for (const id of f.controlIds.length === 1 ? f.controlIds : new Set(f.controlIds)) {
      const list = out.get(id);
      if (list) list.push(f);
      else out.set(id, [f]);
    }
  }
  return out;
}

/** Correlation is the costliest part of a finding; beyond this many, findings.csv still lists the rule's own evidence. */
const MAX_CHAINS = 500;

/** Adds each finding's correlated chain and cites the chain's links as evidence too. */
function attachChains(db: Db, findings: Finding[]): void {
  for (const f of findings.slice(0, MAX_CHAINS)) {
    const chain = chainFor(db, f.evidence);
    if (chain.length < 2) continue;
    f.chain = chain;
    const conflicts = [...new Set(chain.flatMap((l) => (l.conflict ? [l.conflict] : [])))];
    if (conflicts.length) f.conflicts = conflicts;
    const cited = new Set(f.evidence.map((e) => e.ref));
    for (const link of chain) {
      if (cited.has(link.ref)) continue;
      cited.add(link.ref);
      f.evidence.push({ ref: link.ref, file: link.file, locator: link.locator, role: link.role, ...(link.confidence ? { confidence: link.confidence } : {}) });
    }
  }
}

/**
 * Coverage = controls whose every automated rule reached a verdict ÷ controls in scope (manual ones
 * included in scope). It depends on the evidence only: accepting a risk changes a finding's state,
 * never whether its control was tested. `rules` counts the rules with a verdict out of those mapped.
 */
export function coverageOf(controls: Pick<ControlResult, "framework" | "tested" | "coverage">[]): Evaluation["coverage"] {
  const cov = (list: typeof controls): Coverage => {
    const tested = list.filter((c) => c.tested).length;
    return {
      tested, inScope: list.length, ratio: list.length ? tested / list.length : 0,
      rules: { sufficient: list.reduce((n, c) => n + c.coverage.sufficient, 0), mapped: list.reduce((n, c) => n + c.coverage.rules, 0) },
    };
  };
  const frameworks = [...new Set(controls.map((c) => c.framework))].sort();
  return { overall: cov(controls), byFramework: Object.fromEntries(frameworks.map((f) => [f, cov(controls.filter((c) => c.framework === f))])) };
}
