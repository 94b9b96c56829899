import type { TimelineRow } from "../collect/timeline.ts";
import type { ReportModel } from "../model.ts";
import { heading, keepTogether, lineHeight, paragraph, paragraphHeight, table, tableHeight } from "../pdf-layout.ts";

type Doc = Parameters<typeof heading>[0];
/** Chains shown in the PDF; timeline.csv lists every link of every chain. */
const MAX_CHAINS = 12;

/**
 * One story per agent session: the chains of every finding in a session (the same session link)
 * are merged, each link once, in time order, so a session that deleted and recreated a stack and
 * then committed reads top to bottom. A chain without a session is its own story. Oldest first.
 */
export function sessionStories(rows: readonly TimelineRow[]): { links: TimelineRow[]; findings: string[] }[] {
  const byFinding = new Map<string, TimelineRow[]>();
  for (const r of rows) byFinding.set(r.findingId, [...(byFinding.get(r.findingId) ?? []), r]);
  const merged = new Map<string, { links: Map<string, TimelineRow>; findings: string[] }>();
  for (const [finding, links] of byFinding) {
    const session = links.find((l) => l.role === "session");
    const storyKey = session ? `session ${session.key}` : `chain ${links.map((l) => l.key).join(" ")}`;
    const story = merged.get(storyKey) ?? { links: new Map<string, TimelineRow>(), findings: [] };
    for (const l of links) if (!story.links.has(l.key)) story.links.set(l.key, l);
    story.findings.push(`${finding} (${links[0]!.ruleId})`);
    merged.set(storyKey, story);
  }
  const byTime = (a: TimelineRow, b: TimelineRow) => a.time.localeCompare(b.time) || a.key.localeCompare(b.key);
  return [...merged.values()]
    .map((s) => ({ links: [...s.links.values()].sort(byTime), findings: s.findings.sort() }))
    .sort((a, b) => byTime(a.links[0]!, b.links[0]!));
}

/**
 * A link's first record, and how many more the link cites (a tool call is often in a hook log, a
 * transcript and an OTel export at once): timeline.csv has them all, and a session's story fits a page.
 */
function evidenceCell(l: TimelineRow): string {
  const [first, ...more] = l.locator.split("; ");
  return `${l.file} ${first ?? ""}${more.length ? ` (+${more.length} more in timeline.csv)` : ""}`;
}

/**
 * Correlated timelines (part of section 4): each distinct chain behind the findings, link by link,
 * with the evidence, the rule that made the link, its confidence and any attribution conflict.
 */
export function timelineSection(doc: Doc, model: ReportModel): void {
  const rows = model.timeline ?? [];
  heading(doc, "Correlated timelines", 2);
  const chains = sessionStories(rows);
  if (chains.length === 0) {
    paragraph(doc, "No finding's evidence links to an agent session, so there is no correlated chain to show.");
    return;
  }
  paragraph(
    doc,
    `${chains.length} ${chains.length === 1 ? "story" : "stories"} behind the findings, one per agent session (its prompts, tool calls, the CloudTrail calls they caused and its commits, in time order; a chain without a session stands alone)` +
      (chains.length > MAX_CHAINS ? `; the first ${MAX_CHAINS} by time are shown` : "") +
      `. timeline.csv lists every link of every finding's chain. "recorded" links come from the source itself; inferred links name their signals and confidence.`,
  );
  const columns = [
    { header: "Time (UTC)", width: 0.11 }, { header: "Link", width: 0.08 }, { header: "What", width: 0.23 }, { header: "Evidence", width: 0.28 },
    { header: "Linked by (confidence)", width: 0.3 },
  ];
  // A session's story is read as one page where it can be: a slightly smaller type than other tables.
  const options = { size: 7 };
  chains.slice(0, MAX_CHAINS).forEach((chain, i) => {
    const calls = chain.links.filter((l) => l.role === "tool-call");
    const head = calls.length > 1 ? `${calls.length} tool calls from ${calls[0]!.summary}` : (calls[0] ?? chain.links[0]!).summary;
    const title = `Chain ${i + 1}: ${head}`;
    const findings = `Findings: ${chain.findings.join(", ")}.`;
    const rows = chain.links.map((l) => [
      l.time.slice(0, 19).replace("T", " "), l.role, l.summary, evidenceCell(l),
      `${l.linkRule} (${l.confidence})${l.conflict ? `. CONFLICT: ${l.conflict}` : ""}`,
    ]);
    // One chain is one story: it starts on a new page rather than turn a page in its middle.
    keepTogether(doc, lineHeight(11) * 3 + paragraphHeight(doc, findings) + tableHeight(doc, columns, rows, options));
    heading(doc, title, 3);
    paragraph(doc, findings);
    table(doc, columns, rows, options);
  });
}
