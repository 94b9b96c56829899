import { defineRule, eventRef, fail, pass, registerRef, type RuleResult, type TestedItem } from "./define.ts";
import type { EvidenceRef } from "../evidence-ref.ts";
import { CALLS_SQL, CUT_OFF_FILES_SQL, CUT_OFF_SESSIONS_SQL, loggingCoverage, RECORDS_SQL, SILENCES_SQL, TOOLS_SQL, type AgentCall, type CoverageFigures } from "./lib/logging-coverage.ts";
import { fileRef, plural, sessionResults } from "./lib/logging-findings.ts";

const sum = (list: { minutes: number }[]) => list.reduce((a, s) => a + s.minutes, 0);

export default defineRule({
  id: "agent-logging-complete",
  title: "Every inventoried agent leaves complete audit logs",
  rationale:
    "Agent logs are the only record of what an agent did and who confirmed it; an inventoried tool with no records, a working day missing inside a week of use, an agent acting after a long silence without a prompt, a session or transcript cut off, " +
    "or an AWS call by an agent identity that no agent log accounts for means actions went unrecorded. Cut-off sessions are judged for the formats that log a session or turn end (Claude Code hooks Stop/SessionEnd, Cursor hooks stop/sessionEnd, " +
    "Copilot CLI hooks agentStop/sessionEnd), in sources that logged at least one end; Codex rollouts, transcripts and OTel exports are not, as they store no end record. Silences are judged in sessions whose log records prompts.",
  severity: "high",
  sources: [],
  registers: ["aiTools"],
  frequency: "continuous",
  evaluate(ctx) {
    const cov = loggingCoverage((sql, params) => ctx.all(sql, params), ctx.period);
    const items: TestedItem[] = [];
    const results: RuleResult[] = [];
    // Every figure of a row goes into its item, so the report lays out what the rule judged.
    const row = (key: string, figures: CoverageFigures, problems: (EvidenceRef | undefined)[], fallback?: EvidenceRef) => {
      const first = problems.find(Boolean);
      const evidence = first ?? fallback;
      items.push({ key, observed: observed(figures), result: first ? "exception" : "pass", ...(evidence ? { evidence } : {}), figures });
    };
    const observed = (f: CoverageFigures) =>
      `${plural(f.records, "record")} on ${f.daysWithRecords} of ${f.daysInPeriod} days` +
      (f.scope === "person" ? `; working days without records: ${f.missingWorkingDays.join(", ") || "none"}` : `; ${plural(f.callsWithoutAgentLog ?? 0, "agent-identity AWS call")} without agent log; ${plural(f.cutOffFiles ?? 0, "cut-off file")}`) +
      `; ${plural(f.cutOffSessions, "cut-off session")}; ${plural(f.silences, "silence")} over ${cov.maxSilenceMinutes} minutes before an agent action`;
    const sessionRef = (x: { event_id: number; event_key: string; file: string; locator: string } | undefined) => (x ? eventRef(x) : undefined);

    for (const t of cov.tools) {
      const own = cov.calls.filter((c) => c.tool === t.product && !c.logged);
      const cut = cov.cutOffSessions.filter((s) => s.tool === t.product);
      const files = cov.cutOffFiles.filter((f) => f.tool === t.product);
      const silent = cov.silences.filter((s) => s.tool === t.product);
      row(`tool:${t.product}`, {
        scope: "agent", agentProduct: t.product, person: "", records: t.records, daysWithRecords: t.days, daysInPeriod: cov.daysInPeriod, activeWeeks: null, missingWorkingDays: [],
        silences: silent.length, silentMinutes: sum(silent), cutOffSessions: cut.length, cutOffFiles: files.length, agentIdentityCalls: t.agentCalls, callsWithoutAgentLog: t.unloggedCalls,
      }, [t.records === 0 ? registerRef(t) : undefined, sessionRef(own[0]), sessionRef(cut[0]), files[0] && fileRef(files[0]), sessionRef(silent[0])], registerRef(t));
      if (t.records === 0) {
        // Use seen elsewhere is stated: "not used" is only offered as an explanation when nothing shows use.
        const used = [t.agentCalls ? `its agent identities made ${plural(t.agentCalls, "AWS call")}` : "", t.commits ? `${plural(t.commits, "commit")} ${t.commits === 1 ? "was" : "were"} attributed to it` : ""].filter(Boolean);
        results.push(fail(t.product, `${t.product} is in the AI tool inventory but left no agent-log records in ${ctx.period.label}` +
          (used.length ? `, while ${used.join(" and ")}: its logs are not collected` : ": either it was not used or its logs are not collected") + ".", [registerRef(t)]));
      }
    }
    for (const p of cov.people) {
      // The person's first record in the period: where the workpaper line and its day-gap finding point.
      const first = ctx.all<{ event_id: number; event_key: string; file: string; locator: string }>(
        "SELECT e.id AS event_id, e.source_kind || ':' || e.event_key AS event_key, e.locator, f.path AS file FROM events e JOIN source_files f ON f.id = e.file_id WHERE e.id = :id",
        { id: p.firstEventId },
      ).map(eventRef);
      const cut = cov.cutOffSessions.filter((s) => s.tool === p.tool && s.person === p.person);
      const silent = cov.silences.filter((s) => s.tool === p.tool && s.person === p.person);
      row(`person:${p.tool}:${p.person}`, {
        scope: "person", agentProduct: p.tool, person: p.person, records: p.records, daysWithRecords: p.days.length, daysInPeriod: cov.daysInPeriod, activeWeeks: p.activeWeeks.length,
        missingWorkingDays: p.missing, silences: silent.length, silentMinutes: sum(silent), cutOffSessions: cut.length, cutOffFiles: null, agentIdentityCalls: null, callsWithoutAgentLog: null,
      }, [p.gaps.length ? first[0] : undefined, sessionRef(silent[0]), sessionRef(cut[0])], first[0]);
      if (p.gaps.length) {
        const weeks = p.gaps.map((g) => `week of ${g.week}: ${g.days.join(", ")}`).join("; ");
        results.push(fail(`${p.tool} ${p.person}`, `${p.person} used ${p.tool} in ${plural(p.activeWeeks.length, "week")} of ${ctx.period.label}, but no ${p.tool} record exists for working days inside ${p.gaps.length === 1 ? "an active week" : "active weeks"} (${weeks}): at least ${cov.minMissingWorkingDays} missing in a week is a gap (either ${p.tool} was not used on those days or its records did not reach the store).`, first));
      }
    }
    results.push(...sessionResults(cov));
    const unlogged = new Map<string, AgentCall[]>();
    for (const c of cov.calls) {
      items.push({ key: c.event_key, observed: c.logged ? "agent-log record of its tool within the window" : "no agent-log record of its tool within the window", result: c.logged ? "pass" : "exception", evidence: eventRef(c) });
      // Appended in place: copying the group for each call would make many unlogged calls quadratic.
      const id = c.agent_id ?? "unattributed";
      if (!c.logged && !unlogged.get(id)?.push(c)) unlogged.set(id, [c]);
    }
    for (const [identity, group] of [...unlogged].sort(([a], [b]) => a.localeCompare(b))) {
      const firstCall = group[0]!, lastCall = group[group.length - 1]!;
      // Every call is cited, so each exception in the workpaper leads to this finding.
      results.push(fail(identity, `Agent identity ${identity} (${firstCall.tool ?? "not in the AI tool inventory"}) made ${plural(group.length, "AWS call")} between ${firstCall.time} and ${lastCall.time} with no agent-log record of its tool within ${cov.windowMinutes} minutes before: the agent acted outside its logged tools.`, group.map(eventRef), firstCall.time));
    }
    const population = {
      description: `AI tools in the inventory, agent product and person pairs with agent-log records, and CloudTrail calls by agent identities in the period (${cov.tools.length} + ${cov.people.length} + ${cov.calls.length})`,
      // The queries behind the population: the inventory, records per tool, person and minute (placed in local days), agent-identity calls, cut-off sessions and files, silences.
      query: [TOOLS_SQL, RECORDS_SQL, CALLS_SQL, CUT_OFF_SESSIONS_SQL, CUT_OFF_FILES_SQL, SILENCES_SQL].join(";\n"),
      size: items.length,
      attribute: "records in the period; working days without records in active weeks; silences before agent actions; session ends and whole files; agent-log record around each agent identity's call",
      expected: `records present; fewer than ${cov.minMissingWorkingDays} working days (ISO weekdays ${cov.workingDays.join(", ")}) missing in any active week; no silence over ${cov.maxSilenceMinutes} minutes ending in an agent action; ` +
        `an end record after each session's last action (unless within ${cov.graceMinutes} minutes of the period end); no file cut off; a record within ${cov.windowMinutes} minutes`,
    };
    if (results.length === 0) results.push(pass("agent logs", `Every inventoried tool left records, no active week has a gap, no session is silent before an agent action or cut off, no agent log file is cut off, and every AWS call by an agent identity has an agent-log record around it in ${ctx.period.label}.`));
    return { population, items, results };
  },
});
