import { lastDayOf } from "../registers/acceptance.ts";
import { defineRule, fail, pass, registerRef, type RuleResult } from "./define.ts";

interface UserRow { person: string; sessions: number; cloud_calls: number; event_id: number; file: string; locator: string }
interface PolicyRow { register: string; row: number; file: string; locator: string; doc_id: string; title: string; version: string }
interface AckRow { version: string; acknowledged: string }

/**
 * People who used agents in the period: the e-mail agent logs record on session records (Claude
 * Code `user_email` on SessionStart) and the source identity behind agent roles in CloudTrail.
 */
const USERS_SQL = `SELECT person, count(DISTINCT CASE WHEN src = 'agent-log' THEN session END) AS sessions, sum(src = 'cloudtrail') AS cloud_calls, min(id) AS event_id FROM (
    SELECT 'agent-log' AS src, lower(actor) AS person, session_id AS session, id FROM events
      WHERE source_kind = 'agent-log' AND action LIKE 'session:%' AND actor LIKE '%@%' AND time >= :start AND time < :end
    UNION ALL
    SELECT 'cloudtrail', lower(json_extract(attrs, '$.sourceIdentity')), NULL, id FROM events
      WHERE source_kind = 'cloudtrail' AND actor_kind = 'agent' AND json_extract(attrs, '$.sourceIdentity') LIKE '%@%' AND time >= :start AND time < :end)
  GROUP BY person ORDER BY person`;

const usage = (u: UserRow) =>
  [u.sessions ? `${u.sessions} agent session${u.sessions === 1 ? "" : "s"}` : "", u.cloud_calls ? `${u.cloud_calls} AWS call${u.cloud_calls === 1 ? "" : "s"} through an agent role` : ""]
    .filter(Boolean)
    .join(", ");

export default defineRule({
  id: "policies-ai-usage-acknowledged",
  title: "Everyone who used an agent acknowledged the current AI usage policy",
  rationale: "The AI usage policy is the documented operating procedure for agents (A.5.37); people who drive agents without having acknowledged its current version operate outside it.",
  severity: "medium",
  sources: ["agent-log"],
  registers: ["policies"],
  frequency: "per-occurrence",
  evaluate(ctx) {
    const lastDay = lastDayOf(ctx.period);
    const users = ctx.all<UserRow>(
      `SELECT u.person, u.sessions, u.cloud_calls, u.event_id, f.path AS file, e.locator FROM (${USERS_SQL}) u JOIN events e ON e.id = u.event_id JOIN source_files f ON f.id = e.file_id ORDER BY u.person`,
    );
    const population = { description: "People (e-mail) who ran agent sessions or drove agent roles in the period", query: USERS_SQL.replace(/\s+/g, " "), size: users.length };
    const policies = ctx.all<PolicyRow>("SELECT register, row, file, locator, doc_id, title, version FROM register_documents WHERE type = 'ai-usage-policy' ORDER BY doc_id");
    if (policies.length === 0) {
      return { population, results: [fail("AI usage policy", "The policies register holds no document of type ai-usage-policy, so agent use has no documented operating procedure.")] };
    }
    const results: RuleResult[] = [];
    for (const policy of policies) {
      for (const u of users) {
        const acks = ctx.all<AckRow>(
          "SELECT version, acknowledged FROM register_acknowledgements WHERE document = :doc AND person = :person AND acknowledged <= :lastDay ORDER BY acknowledged DESC",
          { doc: policy.doc_id, person: u.person, lastDay },
        );
        if (acks.some((a) => a.version === policy.version)) continue;
        const older = acks[0] ? ` (last acknowledged version ${acks[0].version} on ${acks[0].acknowledged})` : "";
        results.push(
          fail(
            u.person,
            `${u.person} used agents in ${ctx.period.label} (${usage(u)}) without acknowledging ${policy.doc_id} "${policy.title}" version ${policy.version}${older}.`,
            [{ ref: `event:${u.event_id}`, file: u.file, locator: u.locator }, registerRef(policy)],
          ),
        );
      }
    }
    if (results.length === 0) {
      results.push(pass("AI usage policy", `All ${users.length} people who used agents acknowledged the current ${policies.map((p) => `${p.doc_id} v${p.version}`).join(", ")}.`, policies.map(registerRef)));
    }
    return { population, results };
  },
});
