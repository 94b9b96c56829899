import type { ReportModel } from "../model.ts";
import { heading, paragraph, table } from "../pdf-layout.ts";

type Doc = Parameters<typeof heading>[0];
const WEEKDAYS = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/**
 * Logging completeness per agent product and per person (part of section 4): the rows of
 * logging-coverage.csv with the verdicts of agent-logging-complete.
 */
export function loggingCoverageSection(doc: Doc, model: ReportModel): void {
  heading(doc, "Logging completeness per agent", 2);
  const cov = model.loggingCoverage;
  if (!cov) {
    paragraph(doc, "Not tested: agent-logging-complete did not run (no AI tool inventory is configured), so logging completeness per agent cannot be shown.");
    return;
  }
  paragraph(
    doc,
    `Agent-log records per inventoried tool and per person (logging-coverage.csv), as agent-logging-complete measured and judged them. A person's active week is a gap when at least ${cov.minMissingWorkingDays} working days ` +
      `(${cov.workingDays.map((d) => WEEKDAYS[d]).join(", ")}) have no record of that tool. A silence is more than ${cov.maxSilenceMinutes} minutes without any record inside a session, ended by an agent action rather than a prompt. ` +
      `A session is cut off when its log, in a format and source that record session ends, has no end after its last tool call (unless that call is within ${cov.graceMinutes} minutes of the period end); a file is cut off when its reading stopped early or its last line is not valid JSON. ` +
      `An AWS call by an agent identity counts as logged when an agent-log record of its tool lies within ${cov.windowMinutes} minutes before it. Findings: agent-logging-complete (CC7.2).`,
  );
  const agents = cov.rows.filter((r) => r.scope === "agent");
  table(
    doc,
    [
      { header: "Agent product", width: 0.16 }, { header: "Records", width: 0.09, align: "right" }, { header: "Days with records", width: 0.11, align: "right" },
      { header: "Silences", width: 0.09, align: "right" }, { header: "Cut-off sessions", width: 0.1, align: "right" }, { header: "Cut-off files", width: 0.09, align: "right" },
      { header: "Agent-identity AWS calls", width: 0.12, align: "right" }, { header: "Without agent log", width: 0.12, align: "right" }, { header: "Result", width: 0.12 },
    ],
    agents.map((r) => [r.agentProduct, String(r.records), `${r.daysWithRecords} of ${r.daysInPeriod}`, String(r.silences), String(r.cutOffSessions), String(r.cutOffFiles ?? 0),
      String(r.agentIdentityCalls ?? 0), String(r.callsWithoutAgentLog ?? 0), r.result]),
  );
  const people = cov.rows.filter((r) => r.scope === "person");
  if (people.length === 0) {
    paragraph(doc, "No agent session names a person, so completeness per person cannot be shown.");
    return;
  }
  table(
    doc,
    [
      { header: "Agent product", width: 0.13 }, { header: "Person", width: 0.25 }, { header: "Records", width: 0.08, align: "right" }, { header: "Days", width: 0.06, align: "right" },
      { header: "Active weeks", width: 0.08, align: "right" }, { header: "Working days without records", width: 0.12, align: "right" }, { header: "Silences", width: 0.08, align: "right" },
      { header: "Cut-off sessions", width: 0.09, align: "right" }, { header: "Result", width: 0.11 },
    ],
    people.map((r) => [r.agentProduct, r.person, String(r.records), String(r.daysWithRecords), String(r.activeWeeks ?? 0), String(r.missingWorkingDays.length), String(r.silences),
      String(r.cutOffSessions), r.result]),
  );
}
