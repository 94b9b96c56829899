import type { TimelineRow } from "../collect/timeline.ts";
import type { ReportModel } from "../model.ts";
import { heading, paragraph, table } from "../pdf-layout.ts";

type Doc = Parameters<typeof heading>[0];
/** Chains shown in the PDF; timeline.csv lists every link of every chain. */
const MAX_CHAINS = 12;

/** Findings sharing one chain (the same links) are one story: grouped, oldest first. */
function distinctChains(rows: readonly TimelineRow[]): { links: TimelineRow[]; findings: string[] }[] {
  const byFinding = new Map<string, TimelineRow[]>();
  for (const r of rows) byFinding.set(r.findingId, [...(byFinding.get(r.findingId) ?? []), r]);
  const chains = new Map<string, { links: TimelineRow[]; findings: string[] }>();
  for (const [finding, links] of byFinding) {
    const key = links.map((l) => l.key).join(" ");
    const chain = chains.get(key) ?? { links, findings: [] };
    chain.findings.push(`${finding} (${links[0]!.ruleId})`);
    chains.set(key, chain);
  }
  return [...chains.values()].sort((a, b) => a.links[0]!.time.localeCompare(b.links[0]!.time) || a.links[0]!.key.localeCompare(b.links[0]!.key));
}

/**
 * Correlated timelines (part of section 4): each distinct chain behind the findings, link by link,
 * with the evidence, the rule that made the link, its confidence and any attribution conflict.
 */
export function timelineSection(doc: Doc, model: ReportModel): void {
  const rows = model.timeline ?? [];
  heading(doc, "Correlated timelines", 2);
  const chains = distinctChains(rows);
  if (chains.length === 0) {
    paragraph(doc, "No finding's evidence links to an agent session, so there is no correlated chain to show.");
    return;
  }
  paragraph(
    doc,
    `${chains.length} distinct chain${chains.length === 1 ? "" : "s"} (session, prompt, tool call, CloudTrail call, commit) behind the findings` +
      (chains.length > MAX_CHAINS ? `; the first ${MAX_CHAINS} by time are shown` : "") +
      `. timeline.csv lists every link of every finding's chain. "recorded" links come from the source itself; inferred links name their signals and confidence.`,
  );
  chains.slice(0, MAX_CHAINS).forEach((chain, i) => {
    heading(doc, `Chain ${i + 1}: ${chain.links.find((l) => l.role === "tool-call")?.summary ?? chain.links[0]!.summary}`, 3);
    paragraph(doc, `Findings: ${chain.findings.join(", ")}.`);
    table(
      doc,
      [
        { header: "Time (UTC)", width: 0.14 }, { header: "Link", width: 0.09 }, { header: "What", width: 0.25 }, { header: "Evidence", width: 0.2 },
        { header: "Linked by (confidence)", width: 0.32 },
      ],
      chain.links.map((l) => [
        l.time.slice(0, 19).replace("T", " "), l.role, l.summary, `${l.file} ${l.locator}`,
        `${l.linkRule} (${l.confidence})${l.conflict ? `. CONFLICT: ${l.conflict}` : ""}`,
      ]),
    );
  });
}
