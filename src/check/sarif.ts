import type { StoredBuild, StoredFinding } from "../history.ts";
import type { GateResult } from "./gate.ts";
import levels from "./levels.json" with { type: "json" };

/**
 * SARIF 2.1.0 for code-scanning UIs: the build's findings whose evidence sits in files a
 * repository keeps (agent settings, IAM policy documents, registers), one result each with its
 * file and line. Accepted findings are suppressed with their acceptance as the justification;
 * `baselineState` says whether a finding is new against the check's baseline. Pure.
 */
export interface SarifRuleMeta {
  title: string;
  rationale?: string;
}

export interface SarifOptions {
  toolVersion: string;
  /** Prefix that makes workspace-relative paths repository-relative (`samples/acme/`), or "". */
  uriPrefix: string;
}

const SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const LEVEL = levels.sarifLevel as Record<string, "note" | "warning" | "error">;
const SCORE = levels.securitySeverity as Record<string, string>;

/** A relative URI reference: each path segment percent-encoded, `/` kept. */
const uriOf = (prefix: string, file: string) => `${prefix}${file}`.replace(/\\/g, "/").split("/").map(encodeURIComponent).join("/");

export function sarifLog(build: StoredBuild, gate: GateResult, rules: ReadonlyMap<string, SarifRuleMeta>, options: SarifOptions): object {
  const located = build.results.findings
    .filter((f): f is StoredFinding & { locations: NonNullable<StoredFinding["locations"]> } => Boolean(f.locations?.length))
    .sort((a, b) => a.ruleId.localeCompare(b.ruleId) || a.id.localeCompare(b.id));
  const ruleIds = [...new Set(located.map((f) => f.ruleId))].sort();
  const isNew = new Set(gate.findings.new.map((f) => f.id));
  const driverRules = ruleIds.map((id) => {
    const own = located.filter((f) => f.ruleId === id);
    const severity = own[0]!.severity;
    const meta = rules.get(id);
    return {
      id,
      shortDescription: { text: meta?.title ?? id },
      ...(meta?.rationale ? { fullDescription: { text: meta.rationale } } : {}),
      defaultConfiguration: { level: LEVEL[severity] ?? "warning" },
      properties: { tags: ["compliance", ...new Set(own.flatMap((f) => f.controlIds))].sort(), "security-severity": SCORE[severity] ?? "5.0", severity },
    };
  });
  const results = located.map((f) => ({
    ruleId: f.ruleId,
    ruleIndex: ruleIds.indexOf(f.ruleId),
    level: LEVEL[f.severity] ?? "warning",
    message: { text: `${f.message} (controls ${f.controlIds.join(", ")}; finding ${f.id})` },
    locations: f.locations.map((l) => ({
      physicalLocation: { artifactLocation: { uri: uriOf(options.uriPrefix, l.file) }, ...(l.line ? { region: { startLine: l.line } } : {}) },
    })),
    partialFingerprints: { "evidenceFindingId/v1": f.id },
    ...(gate.baseline ? { baselineState: isNew.has(f.id) ? "new" : "unchanged" } : {}),
    ...(f.state === "accepted" && f.acceptance
      ? { suppressions: [{ kind: "external", status: "accepted", justification: `Risk acceptance ${f.acceptance.id}, expires ${f.acceptance.expires}` }] }
      : {}),
    properties: { findingId: f.id, controls: f.controlIds, state: f.state ?? "open", severity: f.severity },
  }));
  // Code-scanning UIs need a file in the repository for every result; a finding whose evidence is a
  // log, a CloudTrail record or a commit has none. Those are not results here, and the run says so,
  // with their ids and count, so the file never reads as the whole list of findings.
  const omitted = build.results.findings.filter((f) => !f.locations?.length).map((f) => f.id).sort();
  const omittedNote = omitted.length
    ? `${omitted.length} of ${build.results.findings.length} findings are not results here: their evidence is in logs, CloudTrail records or commits, not in a file the repository keeps. findings.csv in the evidence package lists every finding.`
    : null;
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "evidence", version: options.toolVersion, rules: driverRules } },
        automationDetails: { id: `evidence-check/${gate.period}/` },
        results,
        ...(omittedNote
          ? { invocations: [{ executionSuccessful: true, toolExecutionNotifications: [{ level: "note", message: { text: omittedNote } }] }] }
          : {}),
        properties: {
          period: gate.period, buildId: gate.buildId, passed: gate.passed, findings: build.results.findings.length,
          ...(omitted.length ? { notIncluded: { count: omitted.length, reason: omittedNote, findingIds: omitted } } : {}),
        },
      },
    ],
  };
}
