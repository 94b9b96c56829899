import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import Handlebars from "handlebars";
import type { Finding } from "../evaluate.ts";
import type { ReportModel } from "./model.ts";
import { safeFileName } from "./atomic-dir.ts";

export const PACKAGE_TEMPLATES_DIR = fileURLToPath(new URL("../../templates/", import.meta.url));

/**
 * Markdown-escapes a value from a log before it reaches a memo, so a hostile log line cannot
 * inject links, images, HTML or table breaks. Handlebars never evaluates template syntax found in
 * data, so `{{…}}` in a log is inert already.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()<>#+!|~]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}

function escapeDeep(value: unknown): unknown {
  if (typeof value === "string") return escapeMarkdown(value);
  if (Array.isArray(value)) return value.map(escapeDeep);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeDeep(v)]));
  return value;
}

function createHandlebars(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper("join", (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === "string" ? sep : ", ") : ""));
  return hb;
}

/** The workspace's template wins over the package's, so users can restyle memos without forking. */
export function loadTemplate(name: string, workspaceTemplates?: string): string {
  const own = workspaceTemplates ? path.join(workspaceTemplates, name) : undefined;
  return readFileSync(own && existsSync(own) ? own : path.join(PACKAGE_TEMPLATES_DIR, name), "utf8");
}

export interface Memo {
  file: string;
  content: string;
}

/** One memo per rule with open high or critical findings. Pure: template text in, Markdown out. */
export function renderMemos(model: ReportModel, template: string, maxAcceptanceDays: number): Memo[] {
  const hb = createHandlebars();
  const render = hb.compile(template, { noEscape: true, strict: false });
  const byRule = new Map<string, Finding[]>();
  for (const f of model.evaluation.findings) {
    if (f.severity !== "critical" && f.severity !== "high") continue;
    byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
  }
  return [...byRule.entries()].map(([ruleId, findings]) => {
    const rule = model.evaluation.rules.find((r) => r.id === ruleId)!;
    const files = [...new Set(findings.flatMap((f) => f.evidence.map((e) => e.file)))].sort();
    const data = escapeDeep({
      title: rule.title,
      organisation: model.meta.organisation,
      period: model.meta.period,
      buildId: model.meta.buildId,
      ruleId,
      severity: rule.severity,
      controlIds: rule.controlIds,
      rationale: rule.rationale,
      count: findings.length,
      findings,
      files: files.map((p) => ({ path: p, sha256: model.sources.find((s) => s.path === p)?.sha256 ?? "unknown" })),
    }) as Record<string, unknown>;
    return { file: `memos/${safeFileName(ruleId)}.md`, content: render({ ...data, plural: findings.length !== 1, maxAcceptanceDays }) };
  });
}
