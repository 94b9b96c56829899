import type { ReportModel } from "../model.ts";
import { heading, keyValues, paragraph, table, type Doc } from "../pdf-layout.ts";
import { count, pct } from "./format.ts";

/** The first word of a stored signal ("co-author noreply@…", "branch commit …") in plain words. */
const SIGNAL_KINDS: Record<string, string> = {
  author: "author identity", committer: "committer identity", "co-author": "co-author trailer", configured: "configured agent e-mail",
  trailer: "AI trailer", message: "message marker", subject: "subject prefix", branch: "merged branch commit", agent: "agent session", PR: "PR author or branch",
  bot: "bot author",
};
const signalKinds = (list: string) => list.split(",").map((s) => SIGNAL_KINDS[s] ?? s).join(", ");

const share = (n: number, of: number) => (of ? `${count(n)} of ${count(of)} (${pct(n / of)})` : "none");

const EXCEPTION_WORDS: Record<string, string> = {
  unreviewed: "no independent review",
  "approved-after-merge": "approved after merge",
  "approval-stale": "approval stale",
  "self-merged": "merged by its own author side",
  "admin-bypass": "admin bypass",
  "direct-push": "direct push",
  "ai-reviewer-only": "AI reviewer only",
  emergency: "emergency change",
};

/**
 * CC8.1 evidence from git and pull requests: the population of production changes, the share an
 * AI agent wrote, the share independently reviewed, how strong the review evidence is, and each
 * exception with its commit, pull request, author kind and the signal behind the attribution.
 */
export function gitChangesSection(doc: Doc, model: ReportModel): void {
  const g = model.gitChanges;
  if (!g) return;
  heading(doc, "CC8.1 change-management evidence", 2);
  keyValues(doc, [
    ["Population", `${count(g.total)} change${g.total === 1 ? "" : "s"} landed on production branches (first-parent history) in ${g.repos.map((r) => `${r.repo} (${count(r.changes)})`).join(", ")}`],
    ["AI-authored or AI-assisted", share(g.ai.total, g.total)],
    ["Independently reviewed, all changes", share(g.reviewed, g.total)],
    ["Independently reviewed, AI-authored", share(g.ai.reviewed, g.ai.total)],
    ["Independently reviewed, human-authored", share(g.human.reviewed, g.human.total)],
    ["Bot-authored (dependency updates)", share(g.bots.total, g.total)],
    ["Touching sensitive paths, independently reviewed", share(g.sensitive.reviewed, g.sensitive.total)],
    ["Signed", g.signatures.checked ? share(g.signatures.good, g.signatures.checked) : "not checked (verifySignatures is off)"],
    ["Review not recorded (no export)", count(g.unknown)],
    ["Review evidence strength", g.byStrength.map((s) => `${s.strength} ${count(s.changes)}`).join(", ")],
    ["Joined to a pull request by", g.prJoins.map((j) => `${j.join} ${count(j.changes)}`).join(", ")],
  ]);
  paragraph(
    doc,
    "A change counts as independently reviewed only when a person who is none of its author, committer, co-authors, pull-request author or the operator " +
      "of the agent that wrote it approved it before the merge. Platform approvals (from the pull-request export) outrank review trailers, which outrank " +
      "a merge message. AI attribution is opt-out in every tool, so a change with no signal is 'none detected', not proven human.",
    { size: 8.5, color: "#444" },
  );
  if (g.ai.byProduct.length) {
    table(
      doc,
      [{ header: "Agent", width: 0.25 }, { header: "Changes", width: 0.15, align: "right" }, { header: "Independently reviewed", width: 0.25, align: "right" }, { header: "Signals", width: 0.35 }],
      g.ai.byProduct.map((a) => [a.product, count(a.changes), share(a.reviewed, a.changes), signalKinds(a.signals)]),
    );
  }
  for (const r of g.repos) if (r.notes.length) paragraph(doc, `${r.repo}: ${r.notes.join("; ")}`, { size: 7.5, color: "#555" });
  heading(doc, "Exceptions", 3);
  if (g.exceptions.length === 0) {
    paragraph(doc, "No change-management exceptions in the period.");
    return;
  }
  table(
    doc,
    [
      { header: "Committed (UTC)", width: 0.1 }, { header: "Commit", width: 0.11 }, { header: "PR", width: 0.06 }, { header: "Change", width: 0.23 },
      { header: "Author kind / signal", width: 0.18 }, { header: "Exception", width: 0.32 },
    ],
    g.exceptions.map((e) => [
      e.committed.slice(0, 16).replace("T", " "),
      e.sha.slice(0, 10),
      e.prRef ?? "-",
      `${g.repos.length > 1 ? `${e.repo}: ` : ""}${e.subject} (${e.author})`,
      e.authorKind === "agent" ? `agent ${e.agentProduct ?? ""}: ${e.signal ?? ""}` : e.authorKind,
      `${e.exceptions.split(" ").map((x) => EXCEPTION_WORDS[x] ?? x).join("; ")}. ${e.evidence ?? ""}`,
    ]),
    { size: 7 },
  );
  if (g.moreExceptions) paragraph(doc, `${count(g.moreExceptions)} more exceptions are listed in changes.csv (column exceptions).`);
}
