import type { ReportModel } from "../model.ts";
import { columnTrend, horizontalBars } from "../pdf-charts.ts";
import { heading, keyValues, paragraph, table, type Doc } from "../pdf-layout.ts";
import { plural } from "../../text/plural.ts";
import { count } from "./format.ts";

const APPROVAL_COLORS = { other: "#6b8fbf", destructive: "#c05621" };

function inventoryBlock(doc: Doc, model: ReportModel): void {
  heading(doc, "Inventory versus what was seen", 2);
  const rows = model.package?.inventory ?? [];
  if (rows.length === 0) {
    paragraph(doc, "No agent identities are configured and none were seen.");
    return;
  }
  table(
    doc,
    [
      { header: "Identity", width: 0.18 }, { header: "Product", width: 0.11 }, { header: "Owner", width: 0.16 }, { header: "In inventory", width: 0.11 },
      { header: "Seen in", width: 0.16 }, { header: "Records", width: 0.09, align: "right" }, { header: "First / last seen", width: 0.19 },
    ],
    rows.map((a) => [
      a.identity, a.product, a.owner ?? "-", a.inInventory === null ? "not judged" : a.inInventory ? "yes" : "NO", a.sources.join(", ") || "not seen", count(a.records),
      a.firstSeen ? `${a.firstSeen.slice(0, 16)} / ${a.lastSeen?.slice(0, 16)}` : "-",
    ]),
  );
  const unseen = rows.filter((a) => a.inInventory === true && a.records === 0);
  const shadow = rows.filter((a) => a.inInventory === false);
  const unjudged = rows.filter((a) => a.inInventory === null);
  paragraph(
    doc,
    "The inventory is the AI tool register; whether each tool seen is in it is the verdict of inventory-agents-in-use-registered. " +
      `${shadow.length ? `Not in the inventory (shadow agents): ${shadow.map((a) => a.identity).join(", ")}. ` : unjudged.length ? "" : "Every agent seen is in the inventory. "}` +
      `${unjudged.length ? `Not judged (the rule could not test the period): ${unjudged.map((a) => a.identity).join(", ")}. ` : ""}` +
      `${unseen.length ? `In the inventory but not seen in the period: ${unseen.map((a) => a.identity).join(", ")}.` : ""}`,
  );
}

function permissionsBlock(doc: Doc, model: ReportModel): void {
  heading(doc, "Granted versus used permissions", 2);
  const rows = model.package?.permissions ?? [];
  if (rows.length === 0) {
    paragraph(doc, "No agent identities to report.");
    return;
  }
  table(
    doc,
    [{ header: "Identity", width: 0.2 }, { header: "Granted", width: 0.35 }, { header: "Used in the period (count)", width: 0.45 }],
    rows.map((r) => [
      r.identity,
      r.granted ?? "not recorded: no agent settings or IAM policy data in the evidence",
      r.used.map((u) => `${u.item} (${count(u.count)})`).join(", ") || "nothing",
    ]),
    { size: 7.5 },
  );
}

function approvalBlock(doc: Doc, model: ReportModel): void {
  heading(doc, "Actions by approval kind", 2);
  const kinds = model.package?.approvalKinds ?? [];
  if (kinds.length === 0) {
    paragraph(doc, "No agent tool calls were recorded in the period.");
    return;
  }
  horizontalBars(doc, {
    title: "Agent tool calls by approval kind",
    series: [{ name: "not destructive", color: APPROVAL_COLORS.other }, { name: "destructive or irreversible", color: APPROVAL_COLORS.destructive }],
    data: kinds.map((k) => ({ label: k.approval, values: [k.actions - k.destructive, k.destructive], note: `${count(k.actions)} (${count(k.destructive)} destructive)` })),
  });
  const destructive = model.package?.destructiveByApproval ?? [];
  paragraph(doc, "Destructive actions by approval kind and agent product:");
  if (destructive.length === 0) paragraph(doc, "None.");
  else
    table(
      doc,
      [{ header: "Approval", width: 0.4 }, { header: "Agent product", width: 0.4 }, { header: "Destructive actions", width: 0.2, align: "right" }],
      destructive.map((d) => [d.approval, d.agentProduct, count(d.count)]),
    );
}

function trendBlock(doc: Doc, model: ReportModel): void {
  const weekly = model.package?.weekly ?? [];
  if (weekly.length === 0) return;
  heading(doc, "Weekly trend of destructive agent actions", 2);
  columnTrend(doc, {
    title: "Destructive agent actions per week (week starting Monday, UTC)",
    yLabel: "actions",
    series: [{ name: "agent tool calls", color: "#c05621" }, { name: "cloud API calls by agent identities", color: "#805ad5" }],
    data: weekly.map((w) => ({ label: w.week.slice(5), values: [w.agentLog, w.cloud] })),
  });
  const correlated = weekly.reduce((n, w) => n + w.correlated, 0);
  paragraph(
    doc,
    model.package?.weeklyDeduplicated === false
      ? "Too many cloud calls to correlate in this period: a tool call and the cloud call it caused may both be counted."
      : `Each action is counted once: ${plural(correlated, "cloud call")} correlated to a destructive agent tool call ${correlated === 1 ? "is" : "are"} counted with that tool call, not again as a cloud call.`,
    { size: 8.5, color: "#555" },
  );
}

/** Agent inventory, permissions, approvals, the weekly trend and destructive actions in production. */
export function agentActivitySection(doc: Doc, model: ReportModel): void {
  inventoryBlock(doc, model);
  permissionsBlock(doc, model);
  approvalBlock(doc, model);
  trendBlock(doc, model);
  heading(doc, "Activity by agent product", 2);
  if (model.agents.length === 0) paragraph(doc, "No agent tool calls were recorded in the period.");
  else
    table(
      doc,
      [
        { header: "Agent product", width: 0.16 }, { header: "Actions", width: 0.1, align: "right" }, { header: "By class", width: 0.32 },
        { header: "By approval", width: 0.27 }, { header: "Destructive in prod, not human-approved", width: 0.15, align: "right" },
      ],
      model.agents.map((a) => [
        a.agentProduct, count(a.actions),
        Object.entries(a.byClass).map(([k, v]) => `${k} ${v}`).join(", "),
        Object.entries(a.byApproval).map(([k, v]) => `${k} ${v}`).join(", "),
        count(a.productionDestructiveUnapproved),
      ]),
    );
  heading(doc, "Destructive actions in production", 2);
  const prod = model.destructiveInProduction;
  if (!prod.tested) paragraph(doc, `Not tested: ${prod.notTested}`);
  else if (prod.size === 0) paragraph(doc, `None: ${prod.rule} found no destructive agent action in production.`);
  else {
    paragraph(
      doc,
      `The population of ${prod.rule}: ${plural(prod.size, "action")}, ${prod.exceptions} without a person's confirmation (each a finding).` +
        `${prod.rows.length < prod.size ? ` The first ${prod.rows.length} are listed; destructive-actions.csv has all.` : ""}`,
    );
    table(
      doc,
      [
        { header: "Time (UTC)", width: 0.14 }, { header: "Agent", width: 0.1 }, { header: "Command", width: 0.3 }, { header: "Approval", width: 0.18 },
        { header: "Verdict", width: 0.1 }, { header: "Source", width: 0.18 },
      ],
      prod.rows.map((d) => [
        d.time, d.agentProduct, d.command ?? d.action, `${d.approval}${d.approvalEvidence ? `: ${d.approvalEvidence}` : ""}`,
        d.verdict === "pass" ? "pass" : `finding ${d.findingId ?? "?"}`, `${d.file} ${d.locator}`,
      ]),
      { size: 7.5 },
    );
  }
  keyValues(doc, [
    ["CloudTrail events in period", count(model.cloud.events)],
    ["by agent identities", count(model.cloud.agentEvents)],
    ["destructive, by agent identities", count(model.cloud.agentDestructive)],
  ]);
}
