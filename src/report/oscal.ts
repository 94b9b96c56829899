import { createHash } from "node:crypto";
import { findingsByControl, type ControlResult, type Finding, type RuleRun } from "../evaluate.ts";
import type { ReportModel } from "./model.ts";

/**
 * The package as an OSCAL Assessment Results document (assessment-results.json), so GRC tools
 * that read OSCAL (compliance-trestle, FedRAMP tooling) can take it in. One result covers the
 * period (start/end); each automated test is an observation (method TEST, `collected` at the
 * generation time); each finding of ours is a risk, `deviation-approved` when a risk acceptance
 * in force covers it; each control is an OSCAL finding whose target is satisfied or not.
 * Pure and deterministic: UUIDs are derived from the build id and names, never random.
 * OSCAL_VERSION is the release whose Assessment Results JSON schema the tests validate against
 * (test/fixtures/schemas/README.md).
 */
export const OSCAL_VERSION = "1.2.2";

/** A name-based UUID (version 5 layout over SHA-256): the same input gives the same UUID. */
export function stableUuid(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("\u0000")).digest("hex");
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** OSCAL tokens allow letters, digits, '.', '-' and '_' after a letter or '_'. */
function token(text: string): string {
  const t = text.replace(/[^\p{L}\p{N}._-]+/gu, "-");
  return /^[\p{L}_]/u.test(t) ? t : `_${t}`;
}

const NS = "urn:evidence:oscal";

/**
 * Drops an all-zero fraction (`.000Z` becomes `Z`). OSCAL 1.2 accepts any fraction, but some earlier schema
 * builds only allowed one ending in a non-zero digit, and the shorter form is valid under both.
 */
export function oscalTime(iso: string): string {
  return iso.replace(/\.(\d*?)0+Z$/, (_, keep: string) => (keep ? `.${keep}Z` : "Z"));
}

function observation(model: ReportModel, run: RuleRun, id: string) {
  return {
    uuid: id,
    title: run.title,
    description: `${run.rationale} Outcome: ${run.outcome}.${run.population ? ` Population: ${run.population.description} (${run.population.size}).` : ""}`,
    props: [
      { name: "rule", ns: NS, value: token(run.id) },
      { name: "outcome", ns: NS, value: token(run.outcome) },
    ],
    methods: ["TEST"],
    types: ["control-objective"],
    "relevant-evidence": [
      { href: "findings.csv", description: `Findings of rule ${run.id}; the populations are the CSV files listed in manifest.json.` },
      ...(run.population ? [{ href: "samples.csv", description: `Query: ${run.population.query}` }] : []),
    ],
    collected: oscalTime(model.meta.generatedAt),
    ...(run.results.length ? { remarks: run.results.map((r) => r.message).slice(0, 20).join("\n") } : {}),
  };
}

function risk(model: ReportModel, f: Finding) {
  const accepted = f.state === "accepted";
  return {
    uuid: stableUuid(model.meta.buildId, "risk", f.id),
    title: f.message.length > 200 ? `${f.message.slice(0, 197)}…` : f.message,
    description: `Finding ${f.id} of rule ${f.ruleId} (severity ${f.severity}) on ${f.subject}.`,
    statement: f.message,
    props: [
      { name: "finding-id", ns: NS, value: token(f.id) },
      { name: "severity", ns: NS, value: token(f.severity) },
    ],
    status: accepted ? "deviation-approved" : "open",
    ...(f.acceptance
      ? {
          deadline: oscalTime(new Date(`${f.acceptance.expires}T23:59:59Z`).toISOString()),
          // The acceptance decision is the risk's log entry: who accepted it, when, until when.
          "risk-log": {
            entries: [
              {
                uuid: stableUuid(model.meta.buildId, "risk-log", f.id, f.acceptance.id),
                title: `Risk acceptance ${f.acceptance.id} (${f.acceptance.status})`,
                description: `Owner ${f.acceptance.owner}, approved by ${f.acceptance.approver} on ${f.acceptance.approved}, expires ${f.acceptance.expires} (${f.acceptance.file} ${f.acceptance.locator}).`,
                start: oscalTime(new Date(`${f.acceptance.approved}T00:00:00Z`).toISOString()),
                ...(accepted ? { "status-change": "deviation-approved" } : {}),
              },
            ],
          },
        }
      : {}),
  };
}

function controlFinding(model: ReportModel, c: ControlResult, observations: Map<string, string>, ofControl: ReadonlyMap<string, readonly Finding[]>) {
  const findings = ofControl.get(c.id) ?? [];
  const related = c.rules.map((r) => observations.get(r)).filter((u): u is string => u !== undefined);
  return {
    uuid: stableUuid(model.meta.buildId, "finding", c.id),
    title: `${c.id} ${c.title}`,
    description: `${c.description} Status: ${c.status}. ${c.reason}`,
    props: [{ name: "status", ns: NS, value: token(c.status) }],
    target: {
      type: "objective-id",
      "target-id": token(c.id),
      status: { state: c.status === "effective" ? "satisfied" : "not-satisfied", ...(c.status === "manual" || c.status === "not-tested" ? { reason: "other" } : {}) },
    },
    ...(related.length ? { "related-observations": related.map((u) => ({ "observation-uuid": u })) } : {}),
    ...(findings.length ? { "related-risks": findings.map((f) => ({ "risk-uuid": stableUuid(model.meta.buildId, "risk", f.id) })) } : {}),
  };
}

export function buildOscal(model: ReportModel): Record<string, unknown> {
  const { meta, evaluation } = model;
  const observations = new Map(evaluation.rules.map((r) => [r.id, stableUuid(meta.buildId, "observation", r.id)]));
  const methodResource = stableUuid(meta.buildId, "resource", "assessment-method");
  const ofControl = findingsByControl(evaluation.findings);
  const result = {
    uuid: stableUuid(meta.buildId, "result"),
    title: `${meta.title}: ${meta.period}`,
    description: `Automated tests of ${evaluation.controls.length} controls over ${meta.period} (${meta.periodStart} to ${meta.periodEnd}, end exclusive), build ${meta.buildId}.`,
    start: oscalTime(meta.periodStart),
    end: oscalTime(meta.periodEnd),
    "reviewed-controls": {
      "control-selections": [{ "include-controls": evaluation.controls.map((c) => ({ "control-id": token(c.id) })) }],
    },
    ...(evaluation.rules.length ? { observations: evaluation.rules.map((r) => observation(model, r, observations.get(r.id)!)) } : {}),
    ...(evaluation.findings.length ? { risks: evaluation.findings.map((f) => risk(model, f)) } : {}),
    ...(evaluation.controls.length ? { findings: evaluation.controls.map((c) => controlFinding(model, c, observations, ofControl)) } : {}),
  };
  return {
    "assessment-results": {
      uuid: stableUuid(meta.buildId, "assessment-results"),
      metadata: {
        title: `${meta.title}: ${meta.organisation}, ${meta.period}`,
        "last-modified": oscalTime(meta.generatedAt),
        version: meta.buildId,
        "oscal-version": OSCAL_VERSION,
        props: [
          { name: "tool", ns: NS, value: token(`evidence-${meta.toolVersion}`) },
          ...(meta.run ? [{ name: "extracted-at", ns: NS, value: oscalTime(meta.run.extractedAt) }, { name: "extracted-on", ns: NS, value: token(meta.run.host) }, { name: "extracted-by", ns: NS, value: token(meta.run.user) }] : []),
        ],
      },
      // No separate OSCAL assessment plan exists: the plan (scope, method, sampling) is in the report and sampling-method.txt.
      "import-ap": { href: `#${methodResource}`, remarks: "The assessment method is described in report.pdf (Scope and method) and sampling-method.txt." },
      results: [result],
      "back-matter": {
        resources: [{ uuid: methodResource, title: "Assessment method and sampling", rlinks: [{ href: "sampling-method.txt" }, { href: "report.pdf" }] }],
      },
    },
  };
}

export function renderOscal(model: ReportModel): string {
  return JSON.stringify(buildOscal(model), null, 2) + "\n";
}
