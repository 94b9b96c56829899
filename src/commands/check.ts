import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildOfBaseline, readBaseline } from "../check/baseline.ts";
import { runGate, type GateResult } from "../check/gate.ts";
import { junitXml } from "../check/junit.ts";
import { gateOptions, type GateFlags, type GateOptions } from "../check/options.ts";
import { sarifLog, type SarifRuleMeta } from "../check/sarif.ts";
import { summaryMarkdown, summaryText } from "../check/summary.ts";
import { loadWorkspaceCatalog } from "../catalog/workspace.ts";
import { ExitCode, InputError, UsageError } from "../errors.ts";
import { latestBuild, previousBuild, type StoredBuild } from "../history.ts";
import { parsePeriod, type Period } from "../period.ts";
import { lastDayOf } from "../registers/acceptance.ts";
import { openStore } from "../store/index.ts";
import { type GlobalOptions, openWorkspace, output, TOOL_VERSION, type Workspace } from "./context.ts";

export interface CheckArgs extends GlobalOptions, GateFlags {
  period: string;
  /** `previous` (the latest build of the period before) or a baseline file written by `evidence baseline write`. */
  baseline?: string | undefined;
  junit?: string | undefined;
  sarif?: string | undefined;
  markdown?: string | undefined;
}

/**
 * The stored build of a period, the one its report was written from. `check` never builds or
 * evaluates: without a build it exits 2 and says which command to run, so the gate can only ever
 * judge what an auditor would see in the package.
 */
export function storedBuildFor(ws: Workspace, period: Period): StoredBuild {
  const hint = `run "evidence build --period ${period.label}" first (check gates a stored build and never evaluates)`;
  if (!existsSync(ws.dbPath)) throw new InputError(`no evidence store at ${ws.dbPath}; ${hint}`, ws.dbPath);
  const db = openStore(ws.dbPath);
  try {
    const build = latestBuild(db, period.label);
    if (!build) throw new InputError(`no build for ${period.label} in ${ws.dbPath}; ${hint}`, ws.dbPath);
    return build;
  } finally {
    db.close();
  }
}

function baselineFor(ws: Workspace, period: Period, spec: string): { source: string; build: StoredBuild } | null {
  if (spec !== "previous") return { source: spec, build: buildOfBaseline(readBaseline(spec)) };
  const db = openStore(ws.dbPath);
  try {
    const build = previousBuild(db, period);
    return build ? { source: `previous build`, build } : null;
  } finally {
    db.close();
  }
}

/** A framework named in a minimum that the build does not have is a typo that would silently gate nothing. */
function checkFrameworks(options: GateOptions, build: StoredBuild): void {
  const known = Object.keys(build.results.coverage.byFramework).sort();
  for (const f of Object.keys(options.minCoverage.byFramework)) {
    if (!known.includes(f)) throw new UsageError(`unknown framework "${f}" in --min-coverage or thresholds.minCoverageByFramework: the build has ${known.join(", ")}`);
  }
}

/**
 * A minimum above what automated rules can reach fails every build whatever the evidence says:
 * manual controls count in coverage's denominator, so coverage is at most the share of controls
 * with automated rules. That is a configuration error, reported as one (exit 2), not a failed gate.
 */
export function checkReachable(options: GateOptions, build: StoredBuild): void {
  const controls = build.results.controls;
  const scopes: [string, string | undefined, number | null][] = [
    ["overall", undefined, options.minCoverage.overall],
    ...Object.entries(options.minCoverage.byFramework).map(([f, min]): [string, string, number] => [f, f, min]),
  ];
  for (const [label, framework, minimum] of scopes) {
    if (minimum === null) continue;
    const inScope = controls.filter((c) => !framework || c.framework === framework);
    const manual = inScope.filter((c) => c.status === "manual").length;
    if (inScope.length === 0) continue;
    const reachable = (inScope.length - manual) / inScope.length;
    if (minimum > reachable + 1e-9) {
      const where = framework ? `the ${framework} minimum` : "the overall minimum";
      throw new UsageError(
        `${where} ${percent(minimum)} (--min-coverage or thresholds.minCoverage${framework ? "ByFramework" : ""}) cannot be met: ` +
          `${manual} of ${inScope.length} ${label === "overall" ? "" : `${label} `}controls are manual (no automated rule), so coverage is at most ${percent(reachable)}; lower the minimum`,
      );
    }
  }
}

function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(1)}%`;
}

/** The closest folder at or above `dir` holding `.git` (a folder, or a file in a worktree), so SARIF paths are relative to the repository root. */
function repositoryRoot(dir: string): string | null {
  for (let d = dir; ; d = path.dirname(d)) {
    if (existsSync(path.join(d, ".git"))) return d;
    if (path.dirname(d) === d) return null;
  }
}

export function uriPrefix(workspaceRoot: string): string {
  const repo = repositoryRoot(workspaceRoot);
  const rel = repo ? path.relative(repo, workspaceRoot) : "";
  return rel ? `${rel.split(path.sep).join("/")}/` : "";
}

function ruleMeta(ws: Workspace): Map<string, SarifRuleMeta> {
  const { rules } = loadWorkspaceCatalog(ws.loaded);
  return new Map([...rules.entries()].map(([id, r]) => [id, { title: r.title, rationale: r.rationale }]));
}

function writeOutput(flag: string, file: string, text: string, append = false): string {
  const abs = path.resolve(file);
  try {
    mkdirSync(path.dirname(abs), { recursive: true });
    (append ? appendFileSync : writeFileSync)(abs, text);
  } catch (error) {
    throw new UsageError(`cannot write ${flag} ${file}: ${(error as Error).message}`);
  }
  return abs;
}

/** The CI gate over the stored build for the period; see src/check/gate.ts for what fails it. */
export async function checkCommand(args: CheckArgs): Promise<number> {
  const ws = openWorkspace(args);
  const period = parsePeriod(args.period, ws.loaded.config.report.timezone);
  const options = gateOptions(ws.loaded.config.thresholds, args);
  const current = storedBuildFor(ws, period);
  checkFrameworks(options, current);
  checkReachable(options, current);
  const baseline = baselineFor(ws, period, args.baseline ?? "previous");
  const result: GateResult = runGate({ current, baseline, options, lastDay: lastDayOf(period) });

  const files: Record<string, string> = {};
  if (args.junit) files.junit = writeOutput("--junit", args.junit, junitXml(result, new Date()));
  if (args.sarif) {
    const log = sarifLog(current, result, ruleMeta(ws), { toolVersion: TOOL_VERSION, uriPrefix: uriPrefix(ws.loaded.root) });
    files.sarif = writeOutput("--sarif", args.sarif, `${JSON.stringify(log, null, 2)}\n`);
  }
  // GitHub Actions sets GITHUB_STEP_SUMMARY to a file each step appends Markdown to.
  const summaryFile = args.markdown ?? process.env.GITHUB_STEP_SUMMARY;
  if (summaryFile) files.markdown = writeOutput(args.markdown ? "--markdown" : "$GITHUB_STEP_SUMMARY", summaryFile, summaryMarkdown(result), !args.markdown);

  output(args, { ...result, files }, () => summaryText(result));
  return result.passed ? ExitCode.ok : ExitCode.checkFailed;
}
