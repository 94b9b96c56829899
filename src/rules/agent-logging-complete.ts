import { defineRule, eventRef, fail, pass, registerRef, type RuleResult, type TestedItem } from "./define.ts";
import type { EvidenceRef } from "../evidence-ref.ts";
import { CALLS_SQL, loggingCoverage, RECORDS_SQL, TOOLS_SQL, type AgentCall } from "./lib/logging-coverage.ts";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export default defineRule({
  id: "agent-logging-complete",
  title: "Every inventoried agent leaves complete audit logs",
  rationale: "Agent logs are the only record of what an agent did and who confirmed it; an inventoried tool with no records, a working day missing inside a week of use, or an AWS call by an agent identity that no agent log accounts for means actions went unrecorded.",
  severity: "high",
  sources: [],
  registers: ["aiTools"],
  frequency: "continuous",
  evaluate(ctx) {
    const cov = loggingCoverage((sql, params) => ctx.all(sql, params), ctx.period);
    const items: TestedItem[] = [];
    const results: RuleResult[] = [];
    for (const t of cov.tools) {
      const ok = t.records > 0;
      items.push({ key: `tool:${t.product}`, observed: `${plural(t.records, "agent-log record")} on ${t.days} of ${cov.daysInPeriod} days`, result: ok ? "pass" : "exception", evidence: registerRef(t) });
      if (!ok) {
        // Use seen elsewhere is stated: "not used" is only offered as an explanation when nothing shows use.
        const used = [t.agentCalls ? `its agent identities made ${plural(t.agentCalls, "AWS call")}` : "", t.commits ? `${plural(t.commits, "commit")} ${t.commits === 1 ? "was" : "were"} attributed to it` : ""].filter(Boolean);
        results.push(fail(t.product, `${t.product} is in the AI tool inventory but left no agent-log records in ${ctx.period.label}` +
          (used.length ? `, while ${used.join(" and ")}: its logs are not collected` : ": either it was not used or its logs are not collected") + ".", [registerRef(t)]));
      }
    }
    for (const p of cov.people) {
      // The person's first record in the period: where the workpaper line and its finding point.
      const evidence = ctx.all<{ event_id: number; event_key: string; file: string; locator: string }>(
        "SELECT e.id AS event_id, e.source_kind || ':' || e.event_key AS event_key, e.locator, f.path AS file FROM events e JOIN source_files f ON f.id = e.file_id WHERE e.id = :id",
        { id: p.firstEventId },
      ).map(eventRef);
      items.push({
        key: `person:${p.tool}:${p.person}`, observed: `${plural(p.records, "record")} on ${plural(p.days.length, "day")} in ${plural(p.activeWeeks.length, "active week")}; working days without records: ${p.missing.join(", ") || "none"}`,
        result: p.gaps.length ? "exception" : "pass", ...(evidence[0] ? { evidence: evidence[0] } : {}),
      });
      if (p.gaps.length) {
        const weeks = p.gaps.map((g) => `week of ${g.week}: ${g.days.join(", ")}`).join("; ");
        results.push(fail(`${p.tool} ${p.person}`, `${p.person} used ${p.tool} in ${plural(p.activeWeeks.length, "week")} of ${ctx.period.label}, but no ${p.tool} record exists for working days inside ${p.gaps.length === 1 ? "an active week" : "active weeks"} (${weeks}): at least ${cov.minMissingWorkingDays} missing in a week is a gap (either ${p.tool} was not used on those days or its records did not reach the store).`, evidence));
      }
    }
    const unlogged = new Map<string, AgentCall[]>();
    for (const c of cov.calls) {
      items.push({ key: c.event_key, observed: c.logged ? "agent-log record of its tool within the window" : "no agent-log record of its tool within the window", result: c.logged ? "pass" : "exception", evidence: eventRef(c) });
      if (!c.logged) unlogged.set(c.agent_id ?? "unattributed", [...(unlogged.get(c.agent_id ?? "unattributed") ?? []), c]);
    }
    for (const [identity, group] of [...unlogged].sort(([a], [b]) => a.localeCompare(b))) {
      const firstCall = group[0]!, lastCall = group[group.length - 1]!;
      // Every call is cited, so each exception in the workpaper leads to this finding.
      const refs: EvidenceRef[] = group.map(eventRef);
      results.push(fail(identity, `Agent identity ${identity} (${firstCall.tool ?? "not in the AI tool inventory"}) made ${plural(group.length, "AWS call")} between ${firstCall.time} and ${lastCall.time} with no agent-log record of its tool within ${cov.windowMinutes} minutes before: the agent acted outside its logged tools.`, refs, firstCall.time));
    }
    const population = {
      description: `AI tools in the inventory, agent product and person pairs with agent-log records, and CloudTrail calls by agent identities in the period (${cov.tools.length} + ${cov.people.length} + ${cov.calls.length})`,
      // The three queries behind the population: the inventory, agent-log records per tool, person and minute (placed in local days), agent-identity calls.
      query: [TOOLS_SQL, RECORDS_SQL, CALLS_SQL].join(";\n"),
      size: items.length,
      attribute: "records in the period; working days without records in active weeks; agent-log record around each agent identity's call",
      expected: `records present; fewer than ${cov.minMissingWorkingDays} working days (ISO weekdays ${cov.workingDays.join(", ")}) missing in any active week; a record within ${cov.windowMinutes} minutes`,
    };
    if (results.length === 0) results.push(pass("agent logs", `Every inventoried tool left records, no active week has a gap, and every AWS call by an agent identity has an agent-log record around it in ${ctx.period.label}.`));
    return { population, items, results };
  },
});
