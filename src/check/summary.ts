import { escapeMarkdown } from "../report/memo.ts";
import type { ControlRow, GateResult, GateReason } from "./gate.ts";

/** The human summary and the Markdown step summary: the reason for failure first, then one row per control. Pure. */

const MAX_MESSAGE = 240;
const short = (text: string) => (text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text);
const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const signed = (n: number, digits = 0) => `${n >= 0 ? "+" : "-"}${Math.abs(n).toFixed(digits)}`;

export function statusCell(row: ControlRow): string {
  return row.baselineStatus && row.baselineStatus !== row.status ? `${row.baselineStatus} → ${row.status}` : row.status;
}

export function coverageCell(row: ControlRow): string {
  if (!row.coverage) return "-";
  const own = `${row.coverage.sufficient}/${row.coverage.rules}`;
  return row.coverageDelta ? `${own} (${signed(row.coverageDelta)})` : own;
}

function headline(r: GateResult): string {
  const against = r.baseline ? ` against ${r.baseline.source} (build ${r.baseline.buildId}, ${r.baseline.period})` : " (no baseline)";
  return `${r.passed ? "PASS" : "FAIL"} evidence check ${r.period} (build ${r.buildId})${against}`;
}

function coverageSentence(r: GateResult): string {
  const o = r.coverage.overall;
  const parts = [`coverage ${pct(o.current.ratio)} (${o.current.tested}/${o.current.inScope} controls)`];
  if (o.delta !== null) parts.push(`${signed(o.delta * 100, 1)} points against the baseline`);
  const frameworks = Object.entries(r.coverage.byFramework).map(([f, l]) => `${f} ${pct(l.current.ratio)}${l.delta ? ` (${signed(l.delta * 100, 1)})` : ""}`);
  return `${parts.join(", ")}; ${frameworks.join(", ")}`;
}

function findingsSentence(r: GateResult): string {
  const f = r.findings;
  return `findings: ${f.new.length} new, ${f.fixed.length} fixed, ${f.recurring.length} recurring; ${f.newOpen.length} open now that ${f.newOpen.length === 1 ? "was" : "were"} not open in the baseline`;
}

const reasonLine = (prefix: string) => (x: GateReason) => `${prefix} ${short(x.message)}`;

/** Fixed-width text for a terminal or a CI log. */
export function summaryText(r: GateResult): string {
  const header = ["control", "framework", "status", "coverage", "new", "fixed", "recurring", "gate"];
  const rows = r.controls.map((c) => [c.id, c.framework, statusCell(c), coverageCell(c), String(c.newFindings), String(c.fixedFindings), String(c.recurringFindings), c.failed ? "FAIL" : "ok"]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd();
  return [
    headline(r),
    ...r.failures.map(reasonLine("  FAIL")),
    ...r.warnings.map(reasonLine("  WARN")),
    ...r.notes.map((n) => `  note: ${n}`),
    "",
    line(header),
    ...rows.map(line),
    "",
    coverageSentence(r),
    findingsSentence(r),
  ].join("\n");
}

const cell = (text: string) => escapeMarkdown(text);

/** GitHub-flavoured Markdown for `$GITHUB_STEP_SUMMARY`: every value from the build is escaped. */
export function summaryMarkdown(r: GateResult): string {
  const lines = [`## ${r.passed ? "✅" : "❌"} ${cell(headline(r))}`, ""];
  if (r.failures.length) lines.push("**Why it failed**", "", ...r.failures.map((x) => `- ${cell(short(x.message))}`), "");
  if (r.warnings.length) lines.push("**Warnings**", "", ...r.warnings.map((x) => `- ${cell(short(x.message))}`), "");
  if (r.notes.length) lines.push(...r.notes.map((n) => `> ${cell(n)}`), "");
  lines.push(
    "| control | framework | status | coverage | new | fixed | recurring | gate |",
    "|---|---|---|---|---:|---:|---:|---|",
    ...r.controls.map(
      (c) => `| ${cell(c.id)} | ${cell(c.framework)} | ${cell(statusCell(c))} | ${cell(coverageCell(c))} | ${c.newFindings} | ${c.fixedFindings} | ${c.recurringFindings} | ${c.failed ? "❌ fail" : "ok"} |`,
    ),
    "",
    cell(coverageSentence(r)),
    "",
    cell(findingsSentence(r)),
    "",
  );
  return lines.join("\n");
}
