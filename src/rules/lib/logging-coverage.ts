import windows from "../../correlate-windows.json" with { type: "json" };
import { EVENT_FROM, EVENT_REF_COLUMNS } from "../define.ts";
import { TOOL_JOIN } from "./boundary.ts";
import thresholds from "./logging-completeness.json" with { type: "json" };

/**
 * Logging completeness per agent product and per person, computed from narrow queries for the rule
 * agent-logging-complete, which judges it and hands every figure to the report as its tested items
 * (logging-coverage.csv and the PDF read them there, never recompute them). Days are calendar days
 * in the report's time zone; the working week, the thresholds and the records that end a session
 * or carry a prompt are data (logging-completeness.json).
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

/** A session with agent actions whose log, in a format that records session ends, has no end after its last action. */
export interface CutOffSession {
  tool: string; product: string; person: string | null; sessionId: string; calls: number;
  /** The session's last action: where its records stop. */
  event_id: number; event_key: string; file: string; locator: string; time: string;
}

/** An agent-log file whose reading stopped early or whose last line is not valid JSON (a write cut off mid-line). */
export interface CutOffFile {
  tool: string | null; product: string | null; file: string; locator: string; reason: string;
}

/** A silence inside a session that ends in an agent action, not a person's prompt. */
export interface Silence {
  tool: string; product: string; person: string | null; sessionId: string; from: string; minutes: number;
  /** The action that ends the silence. */
  event_id: number; event_key: string; file: string; locator: string; time: string;
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

/** One row of logging-coverage.csv as the rule measured it: the `figures` of its tool and person items. */
export type CoverageFigures = {
  scope: "agent" | "person";
  agentProduct: string;
  /** The person behind the sessions (the e-mail or user their session records name); empty for an agent row. */
  person: string;
  records: number;
  daysWithRecords: number;
  daysInPeriod: number;
  /** Person rows: ISO weeks with records, and the working days of those weeks without one. */
  activeWeeks: number | null;
  missingWorkingDays: readonly string[];
  /** Silences longer than the threshold inside sessions that end in an agent action, and their minutes. */
  silences: number;
  silentMinutes: number;
  cutOffSessions: number;
  /** Agent rows: files cut off, CloudTrail calls by the tool's agent identities and those no agent-log record accounts for. */
  cutOffFiles: number | null;
  agentIdentityCalls: number | null;
  callsWithoutAgentLog: number | null;
};

export const LOGGING_THRESHOLDS = thresholds;
/** How long before an agent identity's AWS call an agent-log record of its tool accounts for it. */
export const WINDOW_MINUTES = windows.wideMs / 60_000;

export interface LoggingCoverage {
  daysInPeriod: number;
  workingDays: number[];
  minMissingWorkingDays: number;
  maxSilenceMinutes: number;
  graceMinutes: number;
  windowMinutes: number;
  tools: ToolCoverage[];
  people: PersonCoverage[];
  calls: AgentCall[];
  cutOffSessions: CutOffSession[];
  cutOffFiles: CutOffFile[];
  silences: Silence[];
}

/**
 * Agent-log records per tool, product, person and minute: small, and enough to place each in a
 * local day. The person is the one a session record names (Claude Code's SessionStart carries
 * `user_email`; Codex and Cursor name the user on their session records), as correlation reads it.
 */
const PERSONS = `persons AS (
    SELECT session_id, max(lower(actor)) AS person FROM events
    WHERE source_kind = 'agent-log' AND action LIKE 'session:%' AND actor IS NOT NULL AND (actor_kind = 'human' OR actor LIKE '%@%')
      AND session_id IS NOT NULL AND time >= :start AND time < :end
    GROUP BY session_id)`;

export const RECORDS_SQL = `WITH ${PERSONS}
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

/**
 * The session ends or prompts of logging-completeness.json as a table written into the query, so
 * the query printed in the package (queries/agent-logging-complete.sql) runs as it stands.
 */
const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;
const pairs = (name: string, list: { product: string; actions: string[] }[]) =>
  `${name}(product, action) AS (VALUES ${list.flatMap((x) => x.actions.map((a) => `(${quote(x.product)}, ${quote(a)})`)).join(", ")})`;
/** A record's last moment: a tool call's own end (PostToolUse after a long command or a permission prompt), else its time. */
const UNTIL = "coalesce(json_extract(e.attrs, '$.endTime'), e.time)";

/**
 * Sessions with agent actions and no end record at or after their last action. Judged only for a
 * product whose format logs ends (`ends`) and only in a config source that logged at least one
 * end (a source without one has no end hook installed, so silence there proves nothing); a
 * session whose last action lies within the grace of the period end may still run.
 * An end after the period still closes the session.
 */
export const CUT_OFF_SESSIONS_SQL = `WITH ${pairs("ends", thresholds.sessionEnds)}, ${PERSONS},
  recording AS (SELECT DISTINCT g.source, x.agent_product FROM events x JOIN source_files g ON g.id = x.file_id
    WHERE x.source_kind = 'agent-log' AND x.action IN (SELECT action FROM ends) AND x.agent_product IN (SELECT product FROM ends)),
  calls AS (SELECT ${EVENT_REF_COLUMNS}, e.time, ${UNTIL} AS until, e.session_id, e.agent_product, e.agent_id, f.source,
      row_number() OVER (PARTITION BY e.session_id, e.agent_product ORDER BY ${UNTIL} DESC, e.id DESC) AS rn,
      count(*) OVER (PARTITION BY e.session_id, e.agent_product) AS calls
    FROM ${EVENT_FROM}
    WHERE e.source_kind = 'agent-log' AND e.action NOT LIKE 'session:%' AND e.session_id IS NOT NULL AND e.time >= :start AND e.time < :end
      AND e.agent_product IN (SELECT product FROM ends))
  SELECT coalesce(t.product, e.agent_product) AS tool, e.agent_product AS product, p.person, e.session_id AS sessionId, e.calls,
    e.event_id, e.event_key, e.file, e.locator, e.time
  FROM calls e LEFT JOIN persons p ON p.session_id = e.session_id ${TOOL_JOIN}
  WHERE e.rn = 1 AND e.until < strftime('%Y-%m-%dT%H:%M:%fZ', :end, '-${thresholds.openSessionGraceMinutes} minutes')
    AND EXISTS (SELECT 1 FROM recording r WHERE r.source = e.source AND r.agent_product = e.agent_product)
    AND NOT EXISTS (SELECT 1 FROM events x WHERE x.source_kind = 'agent-log' AND x.session_id = e.session_id AND x.agent_product = e.agent_product
      AND x.time >= e.time AND x.action IN (SELECT action FROM ends WHERE product = e.agent_product))
  ORDER BY e.time, e.event_key`;

/**
 * Agent-log files with records in the period whose reading stopped early (source_files.incomplete:
 * a truncated gzip, JSON cut off inside a record) or whose last line is not valid JSON: the line
 * a writer was cut off in, which ingest keeps as a reject. An event's locator is "line N",
 * "line N [i]" or "lines A, B" (a call joined from several lines, the last the highest): the
 * highest line with a record is compared; a locator with no number reads as 0, never an error.
 */
export const CUT_OFF_FILES_SQL = `WITH files AS (
    SELECT f.id, f.path, f.incomplete, (SELECT min(e.id) FROM events e WHERE e.file_id = f.id AND e.source_kind = 'agent-log') AS first_event
    FROM source_files f
    WHERE EXISTS (SELECT 1 FROM events e WHERE e.file_id = f.id AND e.source_kind = 'agent-log' AND e.time >= :start AND e.time < :end)),
  lastLine AS (
    SELECT fs.id, (SELECT max(CASE WHEN e.locator LIKE 'lines %' THEN CAST(substr(e.locator, length(rtrim(e.locator, '0123456789')) + 1) AS INTEGER)
        ELSE CAST(substr(e.locator, 6) AS INTEGER) END) FROM events e WHERE e.file_id = fs.id) AS line
    FROM files fs WHERE EXISTS (SELECT 1 FROM rejects r WHERE r.file_id = fs.id AND r.reason LIKE 'not valid JSON%')),
  -- The last rejected line of each such file, found once per file (not by comparing rejects pairwise).
  lastReject AS (SELECT r.file_id, max(CAST(substr(r.locator, 6) AS INTEGER)) AS line FROM rejects r JOIN lastLine l ON l.id = r.file_id
    WHERE r.locator LIKE 'line %' GROUP BY r.file_id),
  cut AS (
    SELECT fs.id, fs.path AS file, 'file' AS locator, fs.incomplete AS reason FROM files fs WHERE fs.incomplete IS NOT NULL
    UNION ALL
    SELECT fs.id, fs.path, min(r.locator), 'its last line is not valid JSON (' || min(r.reason) || ')' FROM files fs JOIN lastLine l ON l.id = fs.id
      JOIN lastReject lr ON lr.file_id = fs.id
      JOIN rejects r ON r.file_id = fs.id AND r.reason LIKE 'not valid JSON%' AND r.locator LIKE 'line %' AND CAST(substr(r.locator, 6) AS INTEGER) = lr.line
      WHERE fs.incomplete IS NULL AND lr.line > coalesce(l.line, 0)
      GROUP BY fs.id)
  SELECT coalesce(t.product, e.agent_product) AS tool, e.agent_product AS product, c.file, c.locator, c.reason
  FROM cut c JOIN files fs ON fs.id = c.id LEFT JOIN events e ON e.id = fs.first_event ${TOOL_JOIN}
  ORDER BY c.file, c.locator`;

/**
 * Silences longer than maxSilenceBeforeActionMinutes inside a session that end in an agent action (not a
 * prompt or other session record), for sessions whose log records prompts (`prompts`): an
 * agent acts on a prompt, so it was at work in the silence without leaving records. The silence
 * starts at the latest end of any earlier record of the session.
 */
export const SILENCES_SQL = `WITH ${pairs("prompts", thresholds.prompts)}, ${PERSONS},
  judged AS (SELECT DISTINCT e.session_id, e.agent_product FROM events e JOIN prompts q ON q.product = e.agent_product AND q.action = e.action
    WHERE e.source_kind = 'agent-log' AND e.session_id IS NOT NULL AND e.time >= :start AND e.time < :end),
  seq AS (SELECT ${EVENT_REF_COLUMNS}, e.time, e.action, e.session_id, e.agent_product, e.agent_id,
      max(${UNTIL}) OVER (PARTITION BY e.session_id, e.agent_product ORDER BY e.time, e.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
    FROM ${EVENT_FROM} JOIN judged j ON j.session_id = e.session_id AND j.agent_product = e.agent_product
    WHERE e.source_kind = 'agent-log' AND e.time >= :start AND e.time < :end)
  SELECT coalesce(t.product, e.agent_product) AS tool, e.agent_product AS product, p.person, e.session_id AS sessionId, e.before AS "from",
    CAST(round((julianday(e.time) - julianday(e.before)) * 1440) AS INTEGER) AS minutes, e.event_id, e.event_key, e.file, e.locator, e.time
  FROM seq e LEFT JOIN persons p ON p.session_id = e.session_id ${TOOL_JOIN}
  WHERE e.action NOT LIKE 'session:%' AND e.before IS NOT NULL AND (julianday(e.time) - julianday(e.before)) * 1440 > ${thresholds.maxSilenceBeforeActionMinutes}
  ORDER BY e.time, e.event_key`;

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
  const cutOffSessions = all<CutOffSession>(CUT_OFF_SESSIONS_SQL);
  const cutOffFiles = all<CutOffFile>(CUT_OFF_FILES_SQL);
  const silences = all<Silence>(SILENCES_SQL);
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
    maxSilenceMinutes: thresholds.maxSilenceBeforeActionMinutes, graceMinutes: thresholds.openSessionGraceMinutes,
    windowMinutes: WINDOW_MINUTES, tools, people, calls, cutOffSessions, cutOffFiles, silences,
  };
}
