import { readFileSync } from "node:fs";
import { z } from "zod";
import { describeIssue } from "../config.ts";
import { InputError } from "../errors.ts";
import type { StoredBuild } from "../history.ts";

/**
 * A baseline file: one build's results, committed to the repository and reviewed like code, so a
 * pull request that weakens a control shows up as a change to compare against. Written sorted and
 * pretty-printed so that diffs are small and stable; read back through a strict schema.
 */
export const BASELINE_SCHEMA_VERSION = 1;

const Status = z.enum(["effective", "exceptions", "deficient", "not-tested", "manual"]);
const Coverage = z.strictObject({
  tested: z.number().int().min(0), inScope: z.number().int().min(0), ratio: z.number().min(0).max(1),
  rules: z.strictObject({ sufficient: z.number().int().min(0), mapped: z.number().int().min(0) }).optional(),
});

export const Baseline = z.strictObject({
  schemaVersion: z.literal(BASELINE_SCHEMA_VERSION, { error: `unsupported schema version: this evidence reads schemaVersion ${BASELINE_SCHEMA_VERSION}` }),
  tool: z.literal("evidence"),
  period: z.string().min(1),
  periodStart: z.string().min(1),
  periodEnd: z.string().min(1),
  buildId: z.string().min(1),
  coverage: z.strictObject({ overall: Coverage, byFramework: z.record(z.string(), Coverage) }),
  controls: z.array(
    z.strictObject({
      id: z.string().min(1),
      framework: z.string().min(1),
      title: z.string().optional(),
      status: Status,
      reason: z.string().optional(),
      coverage: z.strictObject({ rules: z.number().int().min(0), sufficient: z.number().int().min(0) }).optional(),
      openFindings: z.number().int().min(0),
      acceptedFindings: z.number().int().min(0),
    }),
  ),
  findings: z.array(
    z.strictObject({
      id: z.string().min(1),
      ruleId: z.string().min(1),
      severity: z.enum(["low", "medium", "high", "critical"]),
      controlIds: z.array(z.string()),
      subject: z.string().optional(),
      message: z.string(),
      state: z.enum(["open", "accepted"]),
      acceptance: z.strictObject({ id: z.string(), status: z.string(), expires: z.string() }).optional(),
    }),
  ),
  acceptances: z.array(z.strictObject({ id: z.string().min(1), status: z.string(), expires: z.string(), findings: z.number().int().min(0) })),
});
export type Baseline = z.infer<typeof Baseline>;

const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The baseline of a stored build: only what the gate compares, in a fixed key order, sorted by id. Pure. */
export function baselineOf(build: StoredBuild): Baseline {
  const r = build.results;
  return {
    schemaVersion: BASELINE_SCHEMA_VERSION,
    tool: "evidence",
    period: build.period,
    periodStart: build.periodStart,
    periodEnd: build.periodEnd,
    buildId: build.buildId,
    coverage: {
      overall: r.coverage.overall,
      byFramework: Object.fromEntries(Object.keys(r.coverage.byFramework).sort().map((k) => [k, r.coverage.byFramework[k]!])),
    },
    controls: r.controls
      .map((c) => ({
        id: c.id, framework: c.framework, ...(c.title ? { title: c.title } : {}), status: c.status, ...(c.reason ? { reason: c.reason } : {}),
        ...(c.coverage ? { coverage: { rules: c.coverage.rules, sufficient: c.coverage.sufficient } } : {}),
        openFindings: c.openFindings ?? c.findings, acceptedFindings: c.acceptedFindings ?? 0,
      }))
      .sort(byId),
    findings: r.findings
      .map((f) => ({
        id: f.id, ruleId: f.ruleId, severity: f.severity as Baseline["findings"][number]["severity"], controlIds: [...f.controlIds].sort(),
        ...(f.subject !== undefined ? { subject: f.subject } : {}), message: f.message, state: f.state ?? "open",
        ...(f.acceptance ? { acceptance: { id: f.acceptance.id, status: f.acceptance.status, expires: f.acceptance.expires } } : {}),
      }))
      .sort(byId),
    acceptances: (r.acceptances ?? []).map((a) => ({ id: a.id, status: a.status, expires: a.expires, findings: a.findings })).sort(byId),
  };
}

/** Pretty JSON with a final newline: what `evidence baseline write` puts on disk. */
export function formatBaseline(baseline: Baseline): string {
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

/** A baseline read back as the stored build it records, for `compareResults`. */
export function buildOfBaseline(b: Baseline): StoredBuild {
  return {
    buildId: b.buildId, period: b.period, periodStart: b.periodStart, periodEnd: b.periodEnd, createdSeq: 0,
    results: {
      coverage: b.coverage,
      controls: b.controls.map((c) => ({ ...c, findings: c.openFindings + c.acceptedFindings })),
      findings: b.findings,
      acceptances: b.acceptances,
    },
  };
}

/** Parses baseline text; any problem is an InputError naming the file (exit 2). */
export function parseBaseline(text: string, file: string): Baseline {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file}: not a valid baseline file: not JSON (${(error as Error).message}); write one with "evidence baseline write"`, file);
  }
  const result = Baseline.safeParse(raw);
  if (!result.success) throw new InputError(`${describeIssue(file, result.error)}; write a new one with "evidence baseline write"`, file);
  return result.data;
}

export function readBaseline(file: string): Baseline {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new InputError(`${file}: baseline file not found or unreadable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, file);
  }
  return parseBaseline(text, file);
}
