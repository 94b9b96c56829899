import type { ControlStatus, Coverage } from "../evaluate.ts";
import { compareResults, type FindingChange, type StoredBuild, type StoredFinding } from "../history.ts";
import type { Severity } from "../rules/define.ts";
import levels from "./levels.json" with { type: "json" };
import type { GateOptions } from "./options.ts";

/**
 * The CI gate, as a pure function of two stored results: the build the report was written from
 * and a baseline (an earlier build or a committed baseline file). Nothing is re-evaluated here:
 * statuses, findings, acceptance states and coverage are read as the build stored them, so the
 * gate can never disagree with the PDF. Comparisons come from history.ts.
 */
export type ReasonKind =
  | "coverage-minimum" | "coverage-drop" | "status-drop" | "control-removed" | "status-fail-on"
  | "new-finding" | "new-findings-limit" | "acceptance-expired" | "acceptance-expiring" | "incomplete-population";

export interface GateReason {
  kind: ReasonKind;
  level: "fail" | "warn";
  message: string;
  /** Controls the reason is about (JUnit marks their test cases failed); empty for the whole build. */
  controls: string[];
}

export interface ControlRow {
  id: string;
  framework: string;
  title?: string;
  status: ControlStatus;
  baselineStatus: ControlStatus | null;
  reason?: string;
  coverage: { rules: number; sufficient: number } | null;
  /** Change in rules with a verdict against the baseline's control; null without one. */
  coverageDelta: number | null;
  newFindings: number;
  fixedFindings: number;
  recurringFindings: number;
  failed: boolean;
}

interface CoverageLine {
  current: Coverage;
  baseline: Coverage | null;
  delta: number | null;
  minimum: number | null;
}

export interface GateResult {
  passed: boolean;
  period: string;
  buildId: string;
  baseline: { source: string; period: string; buildId: string } | null;
  failures: GateReason[];
  warnings: GateReason[];
  notes: string[];
  coverage: { overall: CoverageLine; byFramework: Record<string, CoverageLine> };
  controls: ControlRow[];
  findings: { new: FindingChange[]; fixed: FindingChange[]; recurring: FindingChange[]; newOpen: FindingChange[] };
}

export interface GateInput {
  current: StoredBuild;
  /** `source` says where it came from: `previous build` or the baseline file's path. */
  baseline: { source: string; build: StoredBuild } | null;
  options: GateOptions;
  /** The period's last day (YYYY-MM-DD), where acceptances are judged, as in the report. */
  lastDay: string;
}

const RANK = levels.statusRank as Record<ControlStatus, number>;
const TESTED: ControlStatus[] = ["effective", "exceptions", "deficient"];
const ORDER: ReasonKind[] = [
  "coverage-minimum", "coverage-drop", "status-drop", "control-removed", "status-fail-on", "new-finding", "new-findings-limit", "acceptance-expired", "acceptance-expiring", "incomplete-population",
];
const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const points = (delta: number) => `${delta >= 0 ? "+" : "-"}${Math.abs(delta * 100).toFixed(1)}`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const change = (f: StoredFinding): FindingChange => ({ id: f.id, ruleId: f.ruleId, severity: f.severity, message: f.message, state: f.state ?? "open" });
const atOrAbove = (severity: string, level: Severity) => levels.severities.indexOf(severity) >= levels.severities.indexOf(level);

function coverageLine(current: Coverage, baseline: Coverage | undefined, minimum: number | null): CoverageLine {
  return { current, baseline: baseline ?? null, delta: baseline ? current.ratio - baseline.ratio : null, minimum };
}

export function runGate({ current, baseline, options, lastDay }: GateInput): GateResult {
  const now = current.results;
  const before = baseline?.build.results;
  const reasons: GateReason[] = [];
  const notes: string[] = [];
  const add = (kind: ReasonKind, message: string, controls: string[] = [], level: GateReason["level"] = "fail") => reasons.push({ kind, level, message, controls });

  // Without a baseline nothing is "recurring": every finding is new, so --fail-on and --max-new-findings judge them all.
  const comparison = compareResults(now, baseline?.build);
  const newFindings = before ? comparison.newFindings : now.findings.map(change);
  if (!baseline) notes.push("No baseline to compare with: every open finding counts as new, and status and coverage changes are not checked.");

  // Coverage: the minimum (overall and per framework), then the drop against the baseline.
  const frameworks = Object.keys(now.coverage.byFramework).sort();
  const coverage = {
    overall: coverageLine(now.coverage.overall, before?.coverage.overall, options.minCoverage.overall),
    byFramework: Object.fromEntries(frameworks.map((f) => [f, coverageLine(now.coverage.byFramework[f]!, before?.coverage.byFramework[f], options.minCoverage.byFramework[f] ?? null)])),
  };
  const untestedNow = (framework?: string) =>
    now.controls.filter((c) => (!framework || c.framework === framework) && !TESTED.includes(c.status) && before?.controls.some((b) => b.id === c.id && TESTED.includes(b.status))).map((c) => c.id);
  for (const [name, line] of [["overall", coverage.overall], ...Object.entries(coverage.byFramework)] as [string, CoverageLine][]) {
    const label = name === "overall" ? "coverage" : `${name} coverage`;
    const of = `${line.current.tested}/${line.current.inScope} controls`;
    if (line.minimum !== null && line.current.ratio < line.minimum - 1e-9) {
      add("coverage-minimum", `${label} ${pct(line.current.ratio)} (${of}) is under the minimum ${pct(line.minimum)}`, name === "overall" ? [] : untestedNow(name));
    }
    if (line.delta !== null && line.delta < -options.coverageTolerance - 1e-9) {
      const lost = untestedNow(name === "overall" ? undefined : name);
      add(
        "coverage-drop",
        `${label} dropped ${points(line.delta)} points against the baseline (${pct(line.baseline!.ratio)} → ${pct(line.current.ratio)}; tolerance ${(options.coverageTolerance * 100).toFixed(1)})` +
          (lost.length ? `: ${lost.join(", ")} no longer tested` : ""),
        lost,
      );
    }
  }

  // Controls: a worse status than the baseline's, a control gone, a status named in fail-on.
  const nowById = new Map(now.controls.map((c) => [c.id, c]));
  for (const b of before?.controls ?? []) {
    const c = nowById.get(b.id);
    if (!c) add("control-removed", `${b.id} is in the baseline (${b.status}) but was not evaluated in this build`, [b.id]);
    else if (RANK[c.status] > RANK[b.status]) add("status-drop", `${c.id} dropped from ${b.status} to ${c.status}${c.reason ? `: ${c.reason}` : ""}`, [c.id]);
  }
  // A control that rests on a population that may be incomplete is not judged on all its evidence.
  for (const c of now.controls.filter((x) => x.incomplete?.length)) {
    add("incomplete-population", `${c.id} rests on a population that may be incomplete: ${c.incomplete!.join("; ")}${options.allowIncomplete ? " (allowed by --allow-incomplete)" : ""}`, [c.id], options.allowIncomplete ? "warn" : "fail");
  }
  for (const c of now.controls) {
    if (options.failOnStatuses.includes(c.status)) add("status-fail-on", `${c.id} is ${c.status} (fail-on ${c.status})${c.reason ? `: ${c.reason}` : ""}`, [c.id]);
  }

  // Findings open now that were not open in the baseline: new ones and ones whose acceptance lapsed.
  const openBefore = new Set((before?.findings ?? []).filter((f) => (f.state ?? "open") === "open").map((f) => f.id));
  const acceptedBefore = new Map((before?.findings ?? []).filter((f) => f.state === "accepted").map((f) => [f.id, f]));
  const newOpenStored = now.findings.filter((f) => (f.state ?? "open") === "open" && !openBefore.has(f.id));
  if (options.failOnSeverity) {
    for (const f of newOpenStored.filter((x) => atOrAbove(x.severity, options.failOnSeverity!))) {
      const was = acceptedBefore.get(f.id);
      const what = was ? `reopened ${f.severity} finding (accepted in the baseline under ${was.acceptance?.id ?? "an acceptance"})` : `new ${f.severity} finding`;
      add("new-finding", `${what} in ${f.controlIds.join(", ")} (${f.ruleId}): ${f.message}`, f.controlIds);
    }
  }
  if (options.maxNewFindings !== null && newOpenStored.length > options.maxNewFindings) {
    add("new-findings-limit", `${plural(newOpenStored.length, "new open finding")}, more than the maximum ${options.maxNewFindings} (max-new-findings)`, [
      ...new Set(newOpenStored.flatMap((f) => f.controlIds)),
    ].sort());
  }

  // Risk acceptances that cover findings: expired ones fail; ones expiring within the window warn or fail.
  for (const a of now.acceptances ?? []) {
    if (a.findings === 0) continue;
    const covered = now.findings.filter((f) => f.acceptance?.id === a.id);
    const controls = [...new Set(covered.flatMap((f) => f.controlIds))].sort();
    const what = `${plural(a.findings, "finding")} in ${controls.join(", ")}`;
    if (a.status === "expired") {
      add("acceptance-expired", `risk acceptance ${a.id} expired on ${a.expires}, before the period's last day ${lastDay}: its ${what} ${a.findings === 1 ? "is" : "are"} open again`, controls);
    } else if (a.status === "active") {
      const days = Math.round((Date.parse(a.expires) - Date.parse(lastDay)) / 86_400_000);
      if (days <= options.acceptanceWarningDays) {
        add(
          "acceptance-expiring",
          `risk acceptance ${a.id} expires on ${a.expires}, ${plural(days, "day")} after the period's last day (window ${options.acceptanceWarningDays} days); it covers ${what}`,
          controls,
          options.acceptanceExpiring,
        );
      }
    }
  }

  reasons.sort((x, y) => ORDER.indexOf(x.kind) - ORDER.indexOf(y.kind));
  const failures = reasons.filter((r) => r.level === "fail");
  const failedControls = new Set(failures.flatMap((r) => r.controls));

  const beforeById = new Map((before?.controls ?? []).map((c) => [c.id, c]));
  const controlsOf = new Map([...(before?.findings ?? []), ...now.findings].map((f) => [f.id, f.controlIds]));
  const countFor = (list: FindingChange[], id: string) => list.filter((f) => controlsOf.get(f.id)?.includes(id)).length;
  const controls: ControlRow[] = now.controls.map((c) => {
    const b = beforeById.get(c.id);
    const cov = c.coverage ?? null;
    return {
      id: c.id, framework: c.framework, ...(c.title ? { title: c.title } : {}), status: c.status, baselineStatus: b?.status ?? null, ...(c.reason ? { reason: c.reason } : {}),
      coverage: cov, coverageDelta: cov && b?.coverage ? cov.sufficient - b.coverage.sufficient : null,
      newFindings: countFor(newFindings, c.id), fixedFindings: countFor(comparison.fixedFindings, c.id), recurringFindings: countFor(comparison.recurringFindings, c.id),
      failed: failedControls.has(c.id),
    };
  });

  return {
    passed: failures.length === 0,
    period: current.period,
    buildId: current.buildId,
    baseline: baseline ? { source: baseline.source, period: baseline.build.period, buildId: baseline.build.buildId } : null,
    failures,
    warnings: reasons.filter((r) => r.level === "warn"),
    notes,
    coverage,
    controls,
    findings: { new: newFindings, fixed: comparison.fixedFindings, recurring: comparison.recurringFindings, newOpen: newOpenStored.map(change) },
  };
}
