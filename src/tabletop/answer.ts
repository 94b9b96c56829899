import type { Finding, RuleRun } from "../evaluate.ts";
import type { EvidenceRef } from "../evidence-ref.ts";
import type { RuleResult } from "../rules/define.ts";
import type { Scenario, ScenarioStep } from "./scenario.ts";

export type Verdict = "stopped" | "detected" | "not stopped" | "unknown";

/** An agent principal from the IAM inputs and which of the scenario's IAM actions its policies grant. */
export interface PrincipalGrant {
  arn: string;
  kind: string;
  name: string;
  agentId: string;
  environment: string;
  account: string | null;
  file: string;
  locator: string;
  granted: string[];
}

/** What the tabletop reads: the period's rule runs and findings, and the agent principals' grants (null: no IAM facts were read). */
export interface TabletopFacts {
  rules: ReadonlyMap<string, RuleRun>;
  findings: readonly Finding[];
  principals: readonly PrincipalGrant[];
}

export interface Citation {
  /** The finding the result became, when it failed. */
  finding: string | null;
  text: string;
  /** File and record references: `file locator`. */
  evidence: string[];
}

/**
 * One piece of evidence read for a step. gap: it shows the safeguard failing for this action;
 * ok: it shows the safeguard holding; fired: a rule found this action in the period;
 * unexercised: the rule ran but none of its results concerns the action; unknown: no evidence.
 */
export interface Reading {
  source: string;
  why: string;
  state: "gap" | "ok" | "fired" | "unexercised" | "unknown";
  summary: string;
  citations: Citation[];
  /** Citations left out of `citations` (they are all in findings.csv). */
  more: number;
}

export interface StepAnswer {
  id: string;
  question: string;
  kind: ScenarioStep["kind"];
  verdict: Verdict;
  reason: string;
  note: string | null;
  readings: Reading[];
}

export interface ScenarioAnswer {
  id: string;
  title: string;
  summary: string;
  source: Scenario["source"];
  steps: StepAnswer[];
}

/** Enough to show what decides a verdict on a page; the rest is in findings.csv, by finding id. */
const MAX_CITATIONS = 5;

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const refText = (e: EvidenceRef) => `${e.file} ${e.locator}`.trim();

function mentions(result: RuleResult, terms: readonly string[]): boolean {
  const text = `${result.subject}\n${result.message}`.toLowerCase();
  return terms.some((t) => text.includes(t.toLowerCase()));
}

function cite(results: RuleResult[], run: RuleRun, findingOf: (r: RuleResult) => string | null): Pick<Reading, "citations" | "more"> {
  const sorted = [...results].sort((a, b) => byText(a.subject, b.subject) || byText(a.message, b.message));
  const citations = sorted.slice(0, MAX_CITATIONS).map((r) => ({
    finding: r.outcome === "fail" ? findingOf(r) : null,
    text: `${run.id} (${r.outcome}): ${r.subject}: ${r.message}`,
    evidence: [...new Set(r.evidence.map(refText))].slice(0, 3),
  }));
  return { citations, more: sorted.length - citations.length };
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? "" : "s"}`;
}

function readRule(ev: ScenarioStep["evidence"][number], kind: ScenarioStep["kind"], scenario: Scenario, facts: TabletopFacts, findingOf: (r: RuleResult) => string | null): Reading {
  const base = { source: `rule ${ev.rule}`, why: ev.why, citations: [], more: 0 };
  const run = facts.rules.get(ev.rule);
  if (!run) return { ...base, state: "unknown", summary: `${ev.rule} did not run: it is not in the workspace's catalog or scope.` };
  if (run.outcome !== "pass" && run.outcome !== "fail") {
    const why = run.error ?? run.results.find((r) => r.outcome === run.outcome)?.message ?? (run.missingSources.length ? `no ${run.missingSources.join(", ")} evidence in the period` : "");
    return { ...base, state: "unknown", summary: `${ev.rule} reached no verdict (${run.outcome})${why ? `: ${why}` : "."}` };
  }
  const granted = new Set(facts.principals.filter((p) => p.granted.length).map((p) => p.arn));
  const selected =
    ev.scope === "any" ? run.results : ev.scope === "action" ? run.results.filter((r) => mentions(r, scenario.terms)) : run.results.filter((r) => granted.has(r.subject));
  const failed = selected.filter((r) => r.outcome === "fail");
  const population = run.population ? `${run.population.description} (${run.population.size})` : "its population";
  if (failed.length) {
    const what = ev.scope === "any" ? count(failed.length, "failing result") : count(failed.length, "failing result") + " about this action";
    return { ...base, state: kind === "notice" ? "fired" : "gap", summary: `${ev.rule} failed: ${what}.`, ...cite(failed, run, findingOf) };
  }
  if (kind === "notice") {
    return { ...base, state: "ok", summary: `${ev.rule} ran on the period's evidence (${population}) and tests this action class; no occurrence of it in the period.` };
  }
  if (ev.scope === "any") return { ...base, state: "ok", summary: `${ev.rule} passed on ${population}.` };
  if (selected.length) return { ...base, state: "ok", summary: `${ev.rule} passed on ${count(selected.length, "result")} about this action.`, ...cite(selected, run, findingOf) };
  return { ...base, state: "unexercised", summary: `${ev.rule} ran (${run.outcome}, ${population}) but none of its results concerns this action.` };
}

function readIam(scenario: Scenario, facts: TabletopFacts): Reading {
  const base = { source: "IAM grants", why: `agent principals whose policies grant ${scenario.iamActions.join(", ")}`, citations: [] as Citation[], more: 0 };
  if (scenario.iamActions.length === 0) return { ...base, state: "unexercised", summary: "The scenario names no IAM action." };
  if (facts.principals.length === 0) {
    return { ...base, state: "unknown", summary: "No IAM principal matches a configured agent identity: without an iam source (aws iam get-account-authorization-details) the grants are unknown." };
  }
  const holders = facts.principals.filter((p) => p.granted.length && p.environment === "production").sort((a, b) => byText(a.arn, b.arn));
  if (holders.length === 0) {
    return { ...base, state: "ok", summary: `None of the ${count(facts.principals.length, "agent principal")} holds ${scenario.iamActions.join(" or ")} in production.` };
  }
  const citations = holders.slice(0, MAX_CITATIONS).map((p) => ({
    finding: null,
    text: `${p.kind} ${p.name} (agent identity ${p.agentId}, production account ${p.account ?? "unknown"}) is granted ${p.granted.join(", ")}.`,
    evidence: [`${p.file} ${p.locator}`.trim()],
  }));
  return { ...base, state: "gap", summary: `${count(holders.length, "agent principal")} in production ${holders.length === 1 ? "is" : "are"} granted the action.`, citations, more: holders.length - citations.length };
}

const VERDICT_REASON: Record<Verdict, Record<ScenarioStep["kind"], string>> = {
  "not stopped": {
    prevent: "The evidence shows this safeguard failing for the action: it would not stop it.",
    detect: "The evidence shows a log this depends on incomplete or untrusted: the action could pass unrecorded or be disputed.",
    notice: "",
  },
  stopped: { prevent: "Every piece of evidence shows the safeguard holding for this action.", detect: "", notice: "" },
  detected: {
    prevent: "",
    detect: "Every piece of evidence shows the logs complete and verified for the period.",
    notice: "A rule that tests this action class ran on the period's evidence.",
  },
  unknown: {
    prevent: "The evidence needed to decide is absent; no guess is made.",
    detect: "The evidence needed to decide is absent; no guess is made.",
    notice: "No rule that tests this action class had the evidence to run; no guess is made.",
  },
};

function verdictOf(kind: ScenarioStep["kind"], readings: Reading[]): Verdict {
  const has = (s: Reading["state"]) => readings.some((r) => r.state === s);
  if (kind === "notice") return has("fired") || has("ok") ? "detected" : "unknown";
  if (has("gap")) return "not stopped";
  if (has("unknown") || !has("ok")) return "unknown";
  return kind === "prevent" ? "stopped" : "detected";
}

/** Answers every step of a scenario from the facts. Pure: the same facts give the same answer. */
export function answerScenario(scenario: Scenario, facts: TabletopFacts): ScenarioAnswer {
  const findingIds = new Map(facts.findings.map((f) => [`${f.ruleId}\n${f.subject}\n${f.message}`, f.id]));
  const steps = scenario.steps.map((step): StepAnswer => {
    const readings = [
      ...(step.iam ? [readIam(scenario, facts)] : []),
      ...step.evidence.map((ev) => readRule(ev, step.kind, scenario, facts, (r) => findingIds.get(`${ev.rule}\n${r.subject}\n${r.message}`) ?? null)),
    ];
    const held = verdictOf(step.kind, readings);
    // The safeguard holds where the evidence looks, but the action has a path it cannot see.
    const verdict = held === "stopped" && step.uncovered ? "unknown" : held;
    const reason =
      verdict !== held ? `The evidence shows the safeguard holding on the paths it covers, but not on every path: ${step.uncovered}`
      : verdict === "unknown" && readings.every((r) => r.state === "unexercised") ? "No evidence in the period concerns this action; no guess is made."
      : VERDICT_REASON[verdict][step.kind];
    return { id: step.id, question: step.question, kind: step.kind, verdict, reason, note: step.note ?? null, readings };
  });
  return { id: scenario.id, title: scenario.title, summary: scenario.summary, source: scenario.source, steps };
}
