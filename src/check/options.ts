import type { Config } from "../config.ts";
import { UsageError } from "../errors.ts";
import type { ControlStatus } from "../evaluate.ts";
import type { Severity } from "../rules/define.ts";
import levels from "./levels.json" with { type: "json" };

/** What `evidence check` gates on: the config's `thresholds` with the command line's flags on top. */
export interface GateOptions {
  minCoverage: { overall: number; byFramework: Record<string, number> };
  /** Allowed coverage drop against the baseline, as a share (0.05 = 5 points). */
  coverageTolerance: number;
  /** A new open finding at or above this severity fails; null: severity never fails. */
  failOnSeverity: Severity | null;
  /** Any control in one of these statuses fails, baseline or not. */
  failOnStatuses: ControlStatus[];
  maxNewFindings: number | null;
  acceptanceWarningDays: number;
  acceptanceExpiring: "warn" | "fail";
  /** Pass even when a control rests on a population that may be incomplete (default: fail). */
  allowIncomplete: boolean;
}

export interface GateFlags {
  minCoverage?: readonly (string | number)[] | undefined;
  failOn?: readonly string[] | undefined;
  maxNewFindings?: number | undefined;
  coverageTolerance?: number | undefined;
  allowIncomplete?: boolean | undefined;
}

export const SEVERITIES = levels.severities as Severity[];
/** Statuses `--fail-on` accepts (failing on `effective` would fail every good build). */
export const STATUSES = (Object.keys(levels.statusRank) as ControlStatus[]).filter((s) => s !== "effective");

/** `0.9`, `90%`: a share between 0 and 1. */
function share(text: string, what: string): number {
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  const value = m ? Number(m[1]) / (m[2] ? 100 : 1) : NaN;
  if (!(value >= 0 && value <= 1)) throw new UsageError(`invalid ${what} "${text}": expected a share from 0 to 1 (0.9) or a percentage (90%)`);
  return value;
}

/** `--min-coverage 0.8 --min-coverage soc2=0.9`: a bare value is the overall minimum, `framework=value` one framework's. */
export function parseMinCoverage(values: readonly (string | number)[], base: GateOptions["minCoverage"]): GateOptions["minCoverage"] {
  const out = { overall: base.overall, byFramework: { ...base.byFramework } };
  for (const raw of values.flatMap((v) => String(v).split(","))) {
    const eq = raw.indexOf("=");
    if (eq < 0) out.overall = share(raw, "--min-coverage");
    else {
      const framework = raw.slice(0, eq).trim();
      if (!framework) throw new UsageError(`invalid --min-coverage "${raw}": expected FRAMEWORK=VALUE, e.g. soc2=0.9`);
      out.byFramework[framework] = share(raw.slice(eq + 1), `--min-coverage for ${framework}`);
    }
  }
  return out;
}

/** `--fail-on deficient,high`: severities (the lowest named is the level) and statuses; `none` clears both. */
export function parseFailOn(values: readonly string[]): Pick<GateOptions, "failOnSeverity" | "failOnStatuses"> {
  let failOnSeverity: Severity | null = null;
  const statuses = new Set<ControlStatus>();
  for (const raw of values.flatMap((v) => v.split(","))) {
    const value = raw.trim().toLowerCase();
    if (value === "none" || value === "") continue;
    if ((SEVERITIES as string[]).includes(value)) {
      const s = value as Severity;
      if (failOnSeverity === null || SEVERITIES.indexOf(s) < SEVERITIES.indexOf(failOnSeverity)) failOnSeverity = s;
    } else if ((STATUSES as string[]).includes(value)) statuses.add(value as ControlStatus);
    else throw new UsageError(`invalid --fail-on "${raw}": expected severities (${SEVERITIES.join(", ")}), statuses (${STATUSES.join(", ")}) or none`);
  }
  return { failOnSeverity, failOnStatuses: STATUSES.filter((s) => statuses.has(s)) };
}

/** Merges flags over the config's thresholds. Pure; a malformed flag is a UsageError (exit 2). */
export function gateOptions(thresholds: Config["thresholds"], flags: GateFlags): GateOptions {
  const tolerance = flags.coverageTolerance ?? thresholds.coverageTolerance;
  if (!(tolerance >= 0 && tolerance <= 1)) throw new UsageError(`invalid --coverage-tolerance "${flags.coverageTolerance}": expected a share from 0 to 1`);
  const maxNew = flags.maxNewFindings ?? thresholds.maxNewFindings ?? null;
  if (maxNew !== null && !(Number.isInteger(maxNew) && maxNew >= 0)) throw new UsageError(`invalid --max-new-findings "${flags.maxNewFindings}": expected a whole number, 0 or more`);
  return {
    minCoverage: parseMinCoverage(flags.minCoverage ?? [], { overall: thresholds.minCoverage, byFramework: thresholds.minCoverageByFramework }),
    coverageTolerance: tolerance,
    ...parseFailOn(flags.failOn ?? thresholds.failOn),
    maxNewFindings: maxNew,
    acceptanceWarningDays: thresholds.acceptanceWarningDays,
    acceptanceExpiring: thresholds.acceptanceExpiring,
    allowIncomplete: flags.allowIncomplete ?? false,
  };
}
