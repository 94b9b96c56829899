import type { ReportModel } from "../model.ts";
import { heading, paragraph, table } from "../pdf-layout.ts";

type Doc = Parameters<typeof heading>[0];
const count = (n: number) => n.toLocaleString("en-US");

/**
 * Permission posture (part of section 4): the mode each agent action ran in, the sessions that ran
 * without asking a person, mode changes, and the agent settings files as configuration evidence.
 */
export function agentPostureSection(doc: Doc, model: ReportModel): void {
  const posture = model.agentPosture;
  if (!posture) return;
  heading(doc, "Permission posture", 2);
  if (posture.byMode.length === 0) paragraph(doc, "No agent actions in the period.");
  else {
    paragraph(doc, "Agent actions by the permission mode in force when they ran (from hook payloads, OTel mode changes and transcripts).");
    table(
      doc,
      [{ header: "Agent product", width: 0.3 }, { header: "Mode in force", width: 0.3 }, { header: "Actions", width: 0.2, align: "right" }, { header: "Destructive", width: 0.2, align: "right" }],
      posture.byMode.map((m) => [m.agentProduct, m.mode, count(m.actions), count(m.destructive)]),
    );
  }
  if (posture.unattendedSessions.length) {
    heading(doc, "Sessions that ran without asking a person", 3);
    table(
      doc,
      [
        { header: "Product", width: 0.13 }, { header: "Session", width: 0.27 }, { header: "Modes seen", width: 0.24 }, { header: "First / last action", width: 0.2 },
        { header: "Actions", width: 0.08, align: "right" }, { header: "Destr.", width: 0.08, align: "right" },
      ],
      posture.unattendedSessions.map((s) => [s.agentProduct, s.sessionId, s.modes ?? "-", `${s.first.slice(0, 16)} / ${s.last.slice(11, 16)}`, count(s.actions), count(s.destructive)]),
    );
  }
  if (posture.modeChanges.length) {
    heading(doc, "Permission mode changes", 3);
    table(
      doc,
      [{ header: "Time (UTC)", width: 0.17 }, { header: "Product", width: 0.12 }, { header: "Session", width: 0.2 }, { header: "From > to", width: 0.22 }, { header: "Trigger", width: 0.1 }, { header: "Evidence", width: 0.19 }],
      posture.modeChanges.map((c) => [c.time.slice(0, 16).replace("T", " "), c.agentProduct, c.sessionId, `${c.from ?? "?"} > ${c.to}`, c.trigger ?? "-", `${c.file} ${c.locator}`]),
    );
  }
  heading(doc, "Agent settings (configuration evidence)", 3);
  if (posture.settings.length === 0) {
    paragraph(doc, "No agent settings files were ingested: the permission rules in force cannot be shown.");
    return;
  }
  table(
    doc,
    [
      { header: "File", width: 0.2 }, { header: "Product / scope", width: 0.12 }, { header: "Default mode", width: 0.12 }, { header: "Bypass disabled", width: 0.08 },
      { header: "Allow / ask / deny", width: 0.09 }, { header: "Destructive probes denied / run unasked", width: 0.11 }, { header: "Remarks", width: 0.28 },
    ],
    posture.settings.map((s) => [
      s.file, `${s.product} / ${s.scope}`, [s.defaultMode ?? "-", s.sandbox].filter(Boolean).join(", "),
      s.bypassDisabled === null ? "n/a" : s.bypassDisabled ? "yes" : "NO", `${s.allow} / ${s.ask} / ${s.deny}`, `${s.denied} / ${s.allowed} of ${s.probes}`, s.remarks.join("; ") || "-",
    ]),
  );
}
