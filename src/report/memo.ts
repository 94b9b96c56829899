import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import Handlebars from "handlebars";
import type { Finding } from "../evaluate.ts";
import type { ReportModel } from "./model.ts";
import { safeFileName } from "./atomic-dir.ts";
import { visibleText } from "../visible-text.ts";

export const PACKAGE_TEMPLATES_DIR = fileURLToPath(new URL("../../templates/", import.meta.url));

/**
 * Markdown-escapes a value from a log before it reaches a memo, so a hostile log line cannot
 * inject links, images, HTML or table breaks. Handlebars never evaluates template syntax found in
 * data, so `{{…}}` in a log is inert already. Control characters (terminal escapes) are shown as
 * code points, as in every other output.
 */
export function escapeMarkdown(text: string): string {
  // Parentheses stay as they are: with both brackets escaped no link can form, and evidence text
  // is full of them ("role x (agent identity y)"), so escaping them only hurts the raw page.
  return visibleText(text.replace(/\r?\n/g, " ")).replace(/[\\`*_{}[\]<>#+!|~]/g, (c) => `\\${c}`);
}

function escapeDeep(value: unknown): unknown {
  if (typeof value === "string") return escapeMarkdown(value);
  if (Array.isArray(value)) return value.map(escapeDeep);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDeep(v)]));
  return value;
}

function createHandlebars(): typeof Handlebars {
  const hb = Handlebars.create();
  // The only helpers templates get: they format values, they never decide anything.
  hb.registerHelper("join", (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === "string" ? sep : ", ") : ""));
  hb.registerHelper("default", (value: unknown, fallback: unknown) => (value === undefined || value === null || value === "" ? fallback : value));
  hb.registerHelper("length", (list: unknown) => (Array.isArray(list) ? list.length : 0));
  return hb;
}

/** The workspace's template wins over the package's, so users can restyle memos without forking. */
export function loadTemplate(name: string, workspaceTemplates?: string): string {
  const own = workspaceTemplates ? path.join(workspaceTemplates, name) : undefined;
  return readFileSync(own && existsSync(own) ? own : path.join(PACKAGE_TEMPLATES_DIR, name), "utf8");
}

export interface Memo {
  /** Path inside the package, without extension: `memos/<name>`; the .md and .pdf share it. */
  name: string;
  title: string;
  content: string;
}

/** The memo templates; each can be overridden by a file of the same name in the workspace's templates/. */
export const MEMO_TEMPLATES = {
  finding: "risk-acceptance-memo.md.hbs",
  tool: "ungoverned-tool-memo.md.hbs",
  signoff: "a88-signoff-memo.md.hbs",
} as const;
export type MemoTemplates = Record<keyof typeof MEMO_TEMPLATES, string>;

export function loadMemoTemplates(workspaceTemplates?: string): MemoTemplates {
  return {
    finding: loadTemplate(MEMO_TEMPLATES.finding, workspaceTemplates),
    tool: loadTemplate(MEMO_TEMPLATES.tool, workspaceTemplates),
    signoff: loadTemplate(MEMO_TEMPLATES.signoff, workspaceTemplates),
  };
}

/** Occurrences listed in a memo; the rest are counted and listed in findings.csv. */
const MEMO_FINDINGS = 50;

/**
 * Findings by id (rule, subject and message; the same command run twice is one id), in order of
 * first occurrence, with how often each occurred: the first `max` ids, and the occurrences left out.
 */
export function distinctFindings(findings: readonly Finding[], max: number): { list: (Finding & { occurrences: number; repeated: boolean })[]; more: number } {
  const byId = new Map<string, { finding: Finding; occurrences: number }>();
  for (const f of findings) {
    const seen = byId.get(f.id);
    if (seen) seen.occurrences++;
    else byId.set(f.id, { finding: f, occurrences: 1 });
  }
  // `repeated` for the logic-less template, which cannot compare numbers.
  const list = [...byId.values()].slice(0, max).map(({ finding, occurrences }) => ({ ...finding, occurrences, repeated: occurrences > 1 }));
  return { list, more: findings.length - list.reduce((n, f) => n + f.occurrences, 0) };
}

/** The IAM view of an agent identity, when IAM data was ingested (cloudtrail-iam.ts); read structurally. */
interface IamPrincipals {
  cloudtrailIam?: { principals: { agentId: string; arn: string; destructiveHeld: { action: string; status: string }[] }[] };
}

function controlRefs(model: ReportModel, ids: string[]) {
  // The affected controls and, through the crosswalk, their counterparts in the other framework.
  const all = new Set(ids.flatMap((id) => [id, ...(model.evaluation.controls.find((c) => c.id === id)?.related ?? [])]));
  return model.evaluation.controls
    .filter((c) => all.has(c.id))
    .map((c) => ({ id: c.id, framework: c.frameworkName, title: c.title, status: c.status, direct: ids.includes(c.id) }));
}

/** Every file cited with its SHA-256: ingested sources and the workspace's registers and catalog, as the manifest hashes them. */
function fileHashes(model: ReportModel, files: string[]) {
  const known = new Map([...(model.workspaceFiles ?? []), ...model.sources].map((f) => [f.path, f.sha256]));
  return [...new Set(files)].sort().map((p) => ({ path: p, sha256: known.get(p) ?? "not hashed: not an input of this build" }));
}

/** Destructive rights held by agent identities (IAM), else the destructive actions they were seen to use. */
function blastRadius(model: ReportModel, identities: string[]): { identity: string; basis: string; rights: string[] }[] {
  const iam = (model as ReportModel & IamPrincipals).cloudtrailIam?.principals ?? [];
  const out: { identity: string; basis: string; rights: string[] }[] = [];
  for (const id of identities) {
    for (const p of iam.filter((x) => x.agentId === id && x.destructiveHeld.length)) {
      out.push({ identity: `${id} (${p.arn})`, basis: "IAM policies: destructive actions granted", rights: p.destructiveHeld.map((d) => `${d.action} (${d.status})`) });
    }
    const used = model.package?.permissions.find((x) => x.identity === id)?.used.filter((u) => /destructive|irreversible|Delete|Terminate|Destroy|Drop/i.test(u.item)) ?? [];
    if (used.length) out.push({ identity: id, basis: "used in the period (no IAM data for it)", rights: used.map((u) => `${u.item} × ${u.count}`) });
  }
  return out;
}

/** The controls that can compensate for these (controls/compensating.json) and were effective, as the collector found them. */
function compensating(model: ReportModel, controlIds: string[]) {
  const seen = new Set<string>();
  return controlIds
    .flatMap((id) => model.compensating?.[id] ?? [])
    .filter((c) => !controlIds.includes(c.id) && !seen.has(c.id) && seen.add(c.id))
    .map((c) => ({ id: c.id, title: c.title, evidence: `${c.why}; ${c.evidence}` }));
}

function base(model: ReportModel, maxAcceptanceDays: number) {
  const { meta } = model;
  return { organisation: meta.organisation, period: meta.period, buildId: meta.buildId, generatedAt: meta.generatedAt, maxAcceptanceDays };
}

/**
 * The memos a build prepares for sign-off, pure (templates in, Markdown out):
 * one per rule with open high or critical findings, one per agentic tool seen but not in the
 * inventory, and the ISO A.8.8 residual-risk sign-off. Log values are Markdown-escaped.
 */
export function renderMemos(model: ReportModel, templates: MemoTemplates, maxAcceptanceDays: number): Memo[] {
  const hb = createHandlebars();
  const compile = (t: string) => hb.compile(t, { noEscape: true, strict: false });
  const [finding, tool, signoff] = [compile(templates.finding), compile(templates.tool), compile(templates.signoff)];
  const memos: Memo[] = [];
  const byRule = new Map<string, Finding[]>();
  for (const f of model.evaluation.findings) {
    if ((f.severity !== "critical" && f.severity !== "high") || f.state === "accepted") continue;
    // Pushed, not copied: a month can hold tens of thousands of findings.
    const list = byRule.get(f.ruleId);
    if (list) list.push(f);
    else byRule.set(f.ruleId, [f]);
  }
  const owners = new Map(model.scope.agents.map((a) => [a.id, a.owner]));
  for (const [ruleId, findings] of byRule) {
    const rule = model.evaluation.rules.find((r) => r.id === ruleId);
    if (!rule) continue;
    // The configured agent identities a finding names (in its subject or its message).
    const identities = [...owners.keys()].filter((id) => findings.some((f) => f.subject.includes(id) || f.message.includes(id)));
    const data = escapeDeep({
      ...base(model, maxAcceptanceDays),
      title: rule.title, ruleId, severity: rule.severity, riskStatement: rule.rationale, count: findings.length,
      controls: controlRefs(model, rule.controlIds), findings: findings.slice(0, MEMO_FINDINGS), more: Math.max(0, findings.length - MEMO_FINDINGS), files: fileHashes(model, findings.flatMap((f) => f.evidence.map((e) => e.file))),
      blastRadius: blastRadius(model, identities), compensating: compensating(model, rule.controlIds),
      owner: identities.map((i) => owners.get(i)).find((o) => o) ?? "",
    }) as Record<string, unknown>;
    memos.push({ name: `memos/${safeFileName(ruleId)}`, title: `Risk acceptance: ${rule.title}`, content: finding({ ...data, plural: findings.length !== 1 }) });
  }
  for (const agent of model.package?.inventory.filter((a) => a.inInventory === false) ?? []) {
    const data = escapeDeep({
      ...base(model, maxAcceptanceDays),
      product: agent.product, identity: agent.identity, records: agent.records, firstSeen: agent.firstSeen ?? "", lastSeen: agent.lastSeen ?? "",
      sources: agent.sources, controls: controlRefs(model, ["CC7.1", "CC9.2", "A.5.37"]),
      files: fileHashes(model, model.sources.filter((s) => agent.sources.includes(s.source)).map((s) => s.path)).slice(0, 50),
      blastRadius: blastRadius(model, [agent.identity]), compensating: compensating(model, ["CC7.1", "CC9.2", "A.5.37"]),
    }) as Record<string, unknown>;
    memos.push({ name: `memos/ungoverned-${safeFileName(agent.product)}`, title: `Ungoverned agentic tool: ${agent.product}`, content: tool(data) });
  }
  const a88 = model.evaluation.controls.find((c) => c.id === "A.8.8");
  if (a88) {
    const findings = model.evaluation.findings.filter((f) => f.controlIds.includes("A.8.8"));
    const open = findings.filter((f) => f.state !== "accepted");
    const accepted = findings.filter((f) => f.state === "accepted");
    // A sign-off lists the first MEMO_FINDINGS distinct findings of each kind, repeats as one line
    // with their count, and counts the rest (findings.csv has them all): a month with 18,000 open
    // findings made a 1,043-page memo nobody would sign.
    const shownOpen = distinctFindings(open, MEMO_FINDINGS);
    const shownAccepted = distinctFindings(accepted, MEMO_FINDINGS);
    const data = escapeDeep({
      ...base(model, maxAcceptanceDays),
      control: { id: a88.id, title: a88.title, description: a88.description, status: a88.status, reason: a88.reason },
      controls: controlRefs(model, ["A.8.8"]),
      open: shownOpen.list, moreOpen: shownOpen.more, openCount: open.length,
      accepted: shownAccepted.list, moreAccepted: shownAccepted.more, acceptedCount: accepted.length,
      acceptances: a88.acceptances, compensating: compensating(model, ["A.8.8"]),
      files: fileHashes(model, findings.flatMap((f) => f.evidence.map((e) => e.file))),
    }) as Record<string, unknown>;
    memos.push({ name: "memos/A.8.8-residual-risk-signoff", title: "ISO/IEC 27001 A.8.8 residual risk sign-off", content: signoff(data) });
  }
  return memos;
}
