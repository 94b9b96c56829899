import windows from "../../correlate-windows.json" with { type: "json" };
import { EVENT_FROM, EVENT_REF_COLUMNS } from "../define.ts";
import { TOOL_JOIN } from "./boundary.ts";
import thresholds from "./logging-completeness.json" with { type: "json" };

/**
 * Logging completeness per agent product and per person, computed once from narrow queries and
 * shared by the rule agent-logging-complete (which judges it) and the report collector (which lays
 * it out in logging-coverage.csv and the PDF), so both state the same facts. Days are calendar days
 * in the report's time zone; the working week and the gap threshold are data
 * (logging-completeness.json).
 */
export type Query = <T>(sql: string, params?: Record<string, unknown>) => T[];

export interface ToolCoverage {
  product: string;
  register: string; row: number; file: string; locator: string;
  records: number;
  days: number;
  /** CloudTrail calls by the tool's agent identities, and those with no agent-log record of the tool around them. */
  agentCalls: number;
  unloggedCalls: number;
  /** Commits in the period attributed to the tool (co-author trailer, author e-mail): use the logs do not show. */
  commits: number;
}

export interface PersonCoverage {
  tool: string;
  person: string;
  records: number;
  days: string[];
  /** ISO weeks (their Monday) with at least one record of this tool and person. */
  activeWeeks: string[];
  /** Working days of the active weeks, inside the period, without a record. */
  missing: string[];
  /** Active weeks whose missing working days reach the threshold, with those days. */
  gaps: { week: string; days: string[] }[];
  firstEventId: number;
}

export interface AgentCall {
  event_id: number; event_key: string; file: string; locator: string; time: string; agent_id: string | null; tool: string | null;
  action: string; target: string | null; logged: number;
}

export interface LoggingCoverage {
  daysInPeriod: number;
  workingDays: number[];
  minMissingWorkingDays: number;
  windowMinutes: number;
  tools: ToolCoverage[];
  people: PersonCoverage[];
  calls: AgentCall[];
}

/**
 * Agent-log records per tool, product, person and minute: small, and enough to place each in a
 * local day. The person is the one a session record names (Claude Code's SessionStart carries
 * `user_email`; Codex and Cursor name the user on their session records), as correlation reads it.
 */
export const RECORDS_SQL = `WITH persons AS (
    SELECT session_id, max(lower(actor)) AS person FROM events
    WHERE source_kind = 'agent-log' AND action LIKE 'session:%' AND actor IS NOT NULL AND (actor_kind = 'human' OR actor LIKE '%@%')
      AND session_id IS NOT NULL AND time >= :start AND time < :end
    GROUP BY session_id)
  SELECT t.product AS tool, e.agent_product AS product, p.person, substr(e.time, 1, 16) AS minute, count(*) AS n, min(e.id) AS first_id
  FROM events e LEFT JOIN persons p ON p.session_id = e.session_id ${TOOL_JOIN}
  WHERE e.source_kind = 'agent-log' AND e.time >= :start AND e.time < :end
  GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`;

/**
 * A tool call's API requests reach CloudTrail from just before it (clock skew) to the correlation
 * window's outer limit after it (src/correlate-windows.json), so a call is accounted for by an
 * agent-log record of the same tool in [call - wideMs, call + tightBeforeMs].
 */
export const CALLS_SQL = `SELECT ${EVENT_REF_COLUMNS}, e.time, e.agent_id, t.product AS tool, e.action, e.target,
    EXISTS (SELECT 1 FROM events a WHERE a.source_kind = 'agent-log'
      AND (a.agent_id = e.agent_id OR lower(a.agent_product) = lower(coalesce(t.product, e.agent_product))
           OR lower(a.agent_product) IN (SELECT lower(x.value) FROM json_each(coalesce(t.aliases, '[]')) x))
      AND a.time >= strftime('%Y-%m-%dT%H:%M:%fZ', e.time, '-${windows.wideMs / 1000} seconds')
      AND a.time <= strftime('%Y-%m-%dT%H:%M:%fZ', e.time, '+${windows.tightBeforeMs / 1000} seconds')) AS logged
  FROM ${EVENT_FROM} ${TOOL_JOIN}
  WHERE e.source_kind = 'cloudtrail' AND e.actor_kind = 'agent' AND e.time >= :start AND e.time < :end
  ORDER BY e.time, e.event_key`;

export const TOOLS_SQL = `SELECT t.register, t.row, t.file, t.locator, t.product,
    (SELECT count(*) FROM commits c WHERE c.author_kind = 'agent' AND c.committer_time >= :start AND c.committer_time < :end
       AND (lower(c.agent_product) = lower(t.product) OR lower(c.agent_product) IN (SELECT lower(a.value) FROM json_each(t.aliases) a))) AS commits
  FROM register_ai_tools t ORDER BY lower(t.product), t.row`;

/** Calendar dates (YYYY-MM-DD) arithmetic, independent of the process' zone. */
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const isoWeekday = (date: string) => ((new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
const mondayOf = (date: string) => addDays(date, 1 - isoWeekday(date));

export function localDay(timezone: string): (iso: string) => string {
  const fmt = new Intl.DateTimeFormat("en-CA", { timeZone: timezone, year: "numeric", month: "2-digit", day: "2-digit" });
  return (iso) => fmt.format(new Date(iso));
}

export function loggingCoverage(all: Query, period: { start: Date; end: Date; timezone: string }): LoggingCoverage {
  const day = localDay(period.timezone);
  const first = day(period.start.toISOString());
  const last = day(new Date(period.end.getTime() - 1).toISOString());
  const periodDays: string[] = [];
  for (let d = first; d <= last; d = addDays(d, 1)) periodDays.push(d);
  const working = new Set(thresholds.workingDays);

  const records = all<{ tool: string | null; product: string | null; person: string | null; minute: string; n: number; first_id: number }>(RECORDS_SQL);
  const calls = all<AgentCall>(CALLS_SQL);
  const byTool = new Map<string, { records: number; days: Set<string> }>();
  const byPerson = new Map<string, { tool: string; person: string; records: number; days: Set<string>; firstEventId: number }>();
  for (const r of records) {
    const d = day(`${r.minute}:00.000Z`);
    const tool = r.tool ?? r.product ?? "unattributed";
    const t = byTool.get(tool) ?? { records: 0, days: new Set<string>() };
    t.records += r.n;
    t.days.add(d);
    byTool.set(tool, t);
    if (!r.person) continue;
    const key = `${tool}\u0000${r.person}`;
    const p = byPerson.get(key) ?? { tool, person: r.person, records: 0, days: new Set<string>(), firstEventId: r.first_id };
    p.records += r.n;
    p.days.add(d);
    p.firstEventId = Math.min(p.firstEventId, r.first_id);
    byPerson.set(key, p);
  }

  const tools: ToolCoverage[] = all<{ register: string; row: number; file: string; locator: string; product: string; commits: number }>(TOOLS_SQL).map((t) => {
    const seen = byTool.get(t.product);
    const own = calls.filter((c) => c.tool === t.product);
    return { ...t, records: seen?.records ?? 0, days: seen?.days.size ?? 0, agentCalls: own.length, unloggedCalls: own.filter((c) => !c.logged).length };
  });

  const people: PersonCoverage[] = [...byPerson.values()]
    .sort((a, b) => a.tool.localeCompare(b.tool) || a.person.localeCompare(b.person))
    .map((p) => {
      const days = [...p.days].sort();
      const activeWeeks = [...new Set(days.map(mondayOf))].sort();
      const gaps: PersonCoverage["gaps"] = [];
      const missing: string[] = [];
      for (const week of activeWeeks) {
        const absent = Array.from({ length: 7 }, (_, i) => addDays(week, i))
          .filter((d) => d >= first && d <= last && working.has(isoWeekday(d)) && !p.days.has(d));
        missing.push(...absent);
        if (absent.length >= thresholds.minMissingWorkingDays) gaps.push({ week, days: absent });
      }
      return { tool: p.tool, person: p.person, records: p.records, days, activeWeeks, missing, gaps, firstEventId: p.firstEventId };
    });

  return {
    daysInPeriod: periodDays.length, workingDays: thresholds.workingDays, minMissingWorkingDays: thresholds.minMissingWorkingDays,
    windowMinutes: windows.wideMs / 60_000, tools, people, calls,
  };
}
