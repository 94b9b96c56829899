import { escapeMarkdown } from "../report/memo.ts";
import type { ScenarioAnswer } from "./answer.ts";

/** Where the answers come from, printed on the page so the exercise can be re-performed. */
export interface TabletopMeta {
  organisation: string;
  period: string;
  periodStart: string;
  periodEnd: string;
  timezone: string;
  buildId: string;
  generatedAt: string;
  toolVersion: string;
  findings: number;
}

const LEGEND = [
  "- stopped: the evidence shows the safeguard holding for this action.",
  "- detected: the evidence shows the action would be recorded in trusted logs, or a rule of the period tests this action class.",
  "- not stopped: the evidence shows the safeguard failing for this action, or a log it depends on incomplete or untrusted.",
  "- unknown: the evidence needed to decide is absent (a source not collected, a rule without data); no guess is made.",
];

/** The exercise as a Markdown page (the memo subset src/report/memo-pdf.ts renders). Pure: same answer and meta, same bytes. */
export function tabletopMarkdown(answer: ScenarioAnswer, meta: TabletopMeta): string {
  const e = escapeMarkdown;
  const lines = [
    `# Tabletop exercise: ${e(answer.title)}`,
    "",
    "| | |",
    "|---|---|",
    `| Organisation | ${e(meta.organisation)} |`,
    `| Scenario | ${answer.id} |`,
    `| Period | ${meta.period} (${meta.periodStart} to ${meta.periodEnd}, ${e(meta.timezone)}) |`,
    `| Evidence | build ${meta.buildId} of the evidence store: ${meta.findings} findings in findings.csv |`,
    `| Evidence as of | ${meta.generatedAt} (the time the evidence is stated at, as in the package), by evidence ${meta.toolVersion} |`,
    "",
    `${e(answer.summary)} Source: ${e(answer.source.name)}, ${e(answer.source.url)}.`,
    "",
    "Each question is answered from the period's evidence only: the results of the rules that test it (by rule id, finding id and the file and record each cites) and the IAM grants in the store. Nothing is judged anew; where the evidence is absent the answer is unknown.",
    "",
    "## Verdicts",
    "",
    "| | |",
    "|---|---|",
    ...answer.steps.map((s, i) => `| ${i + 1}. ${e(s.question)} | ${s.verdict} |`),
  ];
  answer.steps.forEach((s, i) => {
    lines.push("", `## ${i + 1}. ${e(s.question)}`, "", `**Verdict: ${s.verdict}.** ${e(s.reason)}`);
    if (s.note) lines.push("", e(s.note));
    for (const r of s.readings) {
      lines.push("", `- **${e(r.source)}** (${e(r.why)}): ${e(r.summary)}`);
      for (const c of r.citations) {
        const head = c.finding ? `Finding ${c.finding}: ` : "";
        const refs = c.evidence.length ? ` Records: ${e(c.evidence.join("; "))}.` : "";
        lines.push(`  - ${head}${e(c.text)}${refs}`);
      }
      const inFindings = r.state === "gap" || r.state === "fired" ? r.source.match(/^rule (.+)$/)?.[1] : undefined;
      if (r.more) lines.push(`  - ${r.more} more${inFindings ? `, in findings.csv under rule ${e(inFindings)}` : " not listed here"}.`);
    }
  });
  lines.push("", "## How to read the verdicts", "", ...LEGEND, "");
  return lines.join("\n");
}
