import awsCli from "./correlate-aws-cli.json" with { type: "json" };
import windows from "./correlate-windows.json" with { type: "json" };
import type { EvidenceRef } from "./evidence-ref.ts";
import type { Db } from "./store/index.ts";

/**
 * Correlation: one timeline per agent session, linking its prompts and tool calls to the
 * CloudTrail events they caused and the commits they produced, so that a finding can cite the
 * whole chain (prompt -> tool call -> CloudTrail -> commit).
 *
 * Agent-run AWS calls usually carry the developer's (or an operator role's) credentials and no
 * agent marker, so a tool call and a CloudTrail event are linked by inference
 * (AWS records the caller's credentials, not the tool that used them: CloudTrail User Guide,
 * 'CloudTrail userIdentity element'): the command names the API (`aws cloudformation
 * delete-stack` -> DeleteStack), the identity matches the session's user (sourceIdentity, role
 * session name), the time falls just after the call, and AWS CLI user agents may name the command.
 * Each link states its confidence and the signals behind it. Everything is narrow SQL around one
 * anchor (a session, a call, an event); no population is read into memory.
 */
export type Confidence = "high" | "medium" | "low";

export interface ChainLink extends EvidenceRef {
  role: "session" | "prompt" | "tool-call" | "cloud-event" | "commit";
  time: string;
  summary: string;
  /** Why an inferred link was made; absent for links recorded in the source (same session id). */
  basis?: string;
  /** The link contradicts another: the CloudTrail call's own attribution names another agent product than the tool call it is correlated to. */
  conflict?: string;
}

/**
 * The windows (data, shared with the rules that test agent-log coverage of CloudTrail calls): a tool
 * call's own span padded for clock skew; the outer limit for any tool-call -> CloudTrail link; how
 * long after a session its commits land; how far from an anchor sessions are looked up.
 */
const TIGHT_BEFORE_MS = windows.tightBeforeMs;
const TIGHT_AFTER_MS = windows.tightAfterMs;
const WIDE_MS = windows.wideMs;
const COMMIT_AFTER_SESSION_MS = windows.commitAfterSessionMs;
const SESSION_SPAN_MS = windows.sessionSpanMs;

const shift = (iso: string, ms: number) => new Date(Date.parse(iso) + ms).toISOString();
const kebabToPascal = (s: string) => s.split("-").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
const pascalToKebab = (s: string) => s.replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/([A-Z])([A-Z][a-z])/g, "$1-$2").toLowerCase();
const SERVICES: Record<string, string> = awsCli.services;
const COMMANDS: Record<string, string[]> = awsCli.commands;
const GLOBAL_WITH_VALUE = new Set(awsCli.globalOptionsWithValue);

export interface AwsCliCall {
  service: string;
  operation: string;
  /** CloudTrail `action` values (eventSource prefix:eventName), lower-cased. */
  actions: string[];
}

/** Every `aws <service> <operation>` in a shell command (after sudo/env, across `&&`, `;`, `|`). */
export function awsCliCalls(command: string): AwsCliCall[] {
  const calls: AwsCliCall[] = [];
  for (const segment of command.split(/&&|\|\||[;|\n]/)) {
    const words = segment.trim().split(/\s+/).map((w) => w.replace(/^["']|["']$/g, ""));
    const at = words.findIndex((w) => w === "aws" || w.endsWith("/aws"));
    if (at < 0) continue;
    const rest: string[] = [];
    for (let i = at + 1; i < words.length && rest.length < 2; i++) {
      const w = words[i]!;
      if (w.startsWith("-")) {
        if (GLOBAL_WITH_VALUE.has(w)) i++;
        continue;
      }
      rest.push(w);
    }
    const [service, operation] = rest;
    if (!service || !operation) continue;
    const source = SERVICES[service] ?? service;
    const names = COMMANDS[`${service} ${operation}`] ?? [kebabToPascal(operation)];
    calls.push({ service, operation, actions: names.map((n) => `${source}:${n}`.toLowerCase()) });
  }
  return calls;
}

interface ToolCallRow { id: number; time: string; end_time: string | null; session_id: string | null; agent_product: string | null; action: string; command: string | null; file: string; locator: string }
interface CloudRow {
  id: number; time: string; action: string; actor: string | null; target: string | null; outcome: string; file: string; locator: string; source_identity: string | null;
  session_name: string | null; user_agent: string | null; agent_product: string | null; attribution: string | null;
}

const TOOL_CALL_SQL = `SELECT e.id, e.time, json_extract(e.attrs, '$.endTime') AS end_time, e.session_id, e.agent_product, e.action, e.command, f.path AS file, e.locator
  FROM events e JOIN source_files f ON f.id = e.file_id`;
const CLOUD_SQL = `SELECT e.id, e.time, e.action, e.actor, e.target, e.outcome, f.path AS file, e.locator,
    json_extract(e.attrs, '$.sourceIdentity') AS source_identity, json_extract(e.attrs, '$.sessionName') AS session_name,
    json_extract(e.attrs, '$.userAgent') AS user_agent, e.agent_product, json_extract(e.attrs, '$.attribution.signal') AS attribution
  FROM events e JOIN source_files f ON f.id = e.file_id`;

/** The person behind a session: the e-mail the agent log records on its session records (Claude Code `user_email`). */
function sessionUser(db: Db, sessionId: string, around: string): string | null {
  const row = db
    .prepare(
      `SELECT actor FROM events WHERE source_kind = 'agent-log' AND time >= :from AND time <= :to AND session_id = :sid
         AND action LIKE 'session:%' AND actor LIKE '%@%' ORDER BY time LIMIT 1`,
    )
    .get({ sid: sessionId, from: shift(around, -SESSION_SPAN_MS), to: shift(around, SESSION_SPAN_MS) }) as { actor: string } | undefined;
  return row?.actor.toLowerCase() ?? null;
}

function identitySignal(user: string | null, ev: CloudRow): string | null {
  if (!user) return null;
  const local = user.split("@")[0]!;
  if (ev.source_identity?.toLowerCase() === user) return `sourceIdentity ${ev.source_identity} is the session's user`;
  const name = ev.session_name?.toLowerCase();
  if (name === user || name === local) return `role session ${ev.session_name} is the session's user`;
  if (ev.actor && (ev.actor.toLowerCase().endsWith(`/${user}`) || ev.actor.toLowerCase().endsWith(`:user/${local}`))) return `principal ${ev.actor} is the session's user`;
  return null;
}

export interface CloudLink {
  event: CloudRow;
  confidence: Confidence;
  basis: string;
}

/** Scores one (tool call, CloudTrail event) pair whose action already matches the command. */
function score(call: ToolCallRow, cli: AwsCliCall, user: string | null, ev: CloudRow): CloudLink | null {
  const signals = [`${ev.action} matches "aws ${cli.service} ${cli.operation}"`];
  let points = 0;
  const identity = identitySignal(user, ev);
  if (identity) {
    points += 2;
    signals.push(identity);
  }
  const end = call.end_time ?? call.time;
  const delta = Math.round((Date.parse(ev.time) - Date.parse(call.time)) / 1000);
  if (ev.time >= shift(call.time, -TIGHT_BEFORE_MS) && ev.time <= shift(end, TIGHT_AFTER_MS)) {
    points += 1;
    signals.push(`${delta >= 0 ? `${delta} s after` : `${-delta} s before`} the call started`);
  } else {
    signals.push(`${Math.abs(delta)} s ${delta >= 0 ? "after" : "before"} the call (outside its span)`);
  }
  const ua = ev.user_agent?.toLowerCase() ?? "";
  const named = `${cli.service}.${cli.operation}`.toLowerCase();
  if (ua.includes(`command/${named}`) || ua.includes(`md/command#${named}`)) {
    points += 1;
    signals.push(`user agent names ${named}`);
  }
  if (points === 0) return null;
  return { event: ev, confidence: points >= 3 ? "high" : points === 2 ? "medium" : "low", basis: signals.join("; ") };
}

const RANK: Record<Confidence, number> = { high: 0, medium: 1, low: 2 };
const byConfidence = (a: CloudLink, b: CloudLink) => RANK[a.confidence] - RANK[b.confidence] || a.event.time.localeCompare(b.event.time);

function loadToolCall(db: Db, id: number): ToolCallRow | undefined {
  return db.prepare(`${TOOL_CALL_SQL} WHERE e.id = ? AND e.source_kind = 'agent-log' AND e.action NOT LIKE 'session:%'`).get(id) as ToolCallRow | undefined;
}

function cloudCandidates(db: Db, call: ToolCallRow): CloudLink[] {
  const calls = call.command ? awsCliCalls(call.command) : [];
  if (calls.length === 0) return [];
  const user = call.session_id ? sessionUser(db, call.session_id, call.time) : null;
  const stmt = db.prepare(
    `${CLOUD_SQL} WHERE e.source_kind = 'cloudtrail' AND e.time >= :from AND e.time <= :to
       AND (lower(e.action) IN (SELECT value FROM json_each(:actions)) OR lower(e.action) GLOB :versioned)`,
  );
  const links: CloudLink[] = [];
  for (const cli of calls) {
    const rows = stmt.all({
      from: shift(call.time, -TIGHT_BEFORE_MS), to: shift(call.end_time ?? call.time, WIDE_MS), actions: JSON.stringify(cli.actions),
      // Versioned API names (ListFunctions20150331) start with the plain name.
      versioned: `${cli.actions[0] ?? "-"}[0-9]*`,
    }) as CloudRow[];
    for (const ev of rows) {
      const link = score(call, cli, user, ev);
      if (link) links.push(link);
    }
  }
  return links.sort(byConfidence);
}

/** CloudTrail events a tool call probably caused, best first, each with confidence and basis. */
export function cloudEventsCausedBy(db: Db, toolCallId: number): CloudLink[] {
  const call = loadToolCall(db, toolCallId);
  return call ? cloudCandidates(db, call) : [];
}

/** The tool calls that may have caused a CloudTrail event, best first. */
export function toolCallsBehind(db: Db, cloudEventId: number): { toolCallId: number; link: CloudLink }[] {
  const ev = db.prepare(`${CLOUD_SQL} WHERE e.id = ? AND e.source_kind = 'cloudtrail'`).get(cloudEventId) as CloudRow | undefined;
  if (!ev) return [];
  const name = ev.action.slice(ev.action.indexOf(":") + 1);
  const fragments = [pascalToKebab(name), ...Object.entries(COMMANDS).filter(([, names]) => names.includes(name)).map(([cmd]) => cmd.split(" ")[1]!)];
  const candidates = db
    .prepare(
      `SELECT e.id FROM events e WHERE e.source_kind = 'agent-log' AND e.action NOT LIKE 'session:%' AND e.time >= :from AND e.time <= :to
         AND e.command LIKE '%aws%' AND EXISTS (SELECT 1 FROM json_each(:fragments) j WHERE e.command LIKE '%' || j.value || '%')`,
    )
    .all({ from: shift(ev.time, -WIDE_MS), to: shift(ev.time, TIGHT_BEFORE_MS), fragments: JSON.stringify(fragments) }) as { id: number }[];
  return candidates
    .flatMap(({ id }) => {
      const link = cloudEventsCausedBy(db, id).find((l) => l.event.id === ev.id);
      return link ? [{ toolCallId: id, link }] : [];
    })
    .sort((a, b) => byConfidence(a.link, b.link));
}

interface CommitRow { sha: string; repo: string; subject: string; author_email: string | null; committer_time: string; agent_product: string | null; file: string; locator: string }
export interface CommitLink {
  commit: CommitRow;
  confidence: Confidence;
  basis: string;
}

interface SessionBounds { session_id: string; start: string; end: string; product: string | null }

function sessionBounds(db: Db, sessionId: string, around: string): SessionBounds | undefined {
  return db
    .prepare(
      `SELECT session_id, min(time) AS start, max(coalesce(json_extract(attrs, '$.endTime'), time)) AS end, max(agent_product) AS product
       FROM events WHERE source_kind = 'agent-log' AND time >= :from AND time <= :to AND session_id = :sid GROUP BY session_id`,
    )
    .get({ sid: sessionId, from: shift(around, -SESSION_SPAN_MS), to: shift(around, SESSION_SPAN_MS) }) as SessionBounds | undefined;
}

const COMMIT_SQL = "SELECT c.sha, c.repo, c.subject, c.author_email, c.committer_time, c.agent_product, f.path AS file, c.locator FROM commits c JOIN source_files f ON f.id = c.file_id";

/**
 * Commits a session produced: by the commit id the agent log recorded (Claude Code OTel
 * `git_commit_id`), else commits co-authored by the session's agent product and authored by the
 * session's user, during the session or within an hour after it.
 */
export function sessionCommits(db: Db, sessionId: string, around: string): CommitLink[] {
  const bounds = sessionBounds(db, sessionId, around);
  if (!bounds) return [];
  const recorded = db
    .prepare(
      `SELECT DISTINCT sha FROM (SELECT coalesce(json_extract(attrs, '$.gitCommitId'), json_extract(attrs, '$.git_commit_id')) AS sha FROM events
       WHERE source_kind = 'agent-log' AND time >= :from AND time <= :to AND session_id = :sid) WHERE sha IS NOT NULL`,
    )
    .all({ sid: sessionId, from: bounds.start, to: bounds.end }) as { sha: string }[];
  const links: CommitLink[] = [];
  const bySha = db.prepare(`${COMMIT_SQL} WHERE c.sha = :sha OR (length(:sha) >= 7 AND c.sha LIKE :sha || '%')`);
  for (const { sha } of recorded) {
    for (const c of bySha.all({ sha }) as CommitRow[]) links.push({ commit: c, confidence: "high", basis: `the agent log records git_commit_id ${sha}` });
  }
  const user = sessionUser(db, sessionId, around);
  if (user && bounds.product) {
    const rows = db
      .prepare(
        `${COMMIT_SQL} WHERE c.committer_time >= :from AND c.committer_time <= :to AND c.author_kind = 'agent' AND c.agent_product = :product
           AND (lower(c.author_email) = :user OR lower(c.committer_email) = :user) ORDER BY c.committer_time`,
      )
      .all({ from: bounds.start, to: shift(bounds.end, COMMIT_AFTER_SESSION_MS), product: bounds.product, user }) as CommitRow[];
    for (const c of rows) {
      if (links.some((l) => l.commit.sha === c.sha)) continue;
      const minutes = Math.round((Date.parse(c.committer_time) - Date.parse(bounds.end)) / 60_000);
      links.push({
        commit: c, confidence: "medium",
        basis: `co-authored by ${bounds.product}, authored by the session's user ${user}, ${minutes > 0 ? `${minutes} min after the session's last activity` : "during the session"}`,
      });
    }
  }
  return links;
}

/** Sessions that probably produced a commit (the reverse of `sessionCommits`). */
export function sessionsBehindCommit(db: Db, sha: string): { sessionId: string; link: CommitLink }[] {
  const c = db.prepare(`${COMMIT_SQL} WHERE c.sha = ?`).get(sha) as CommitRow | undefined;
  if (!c) return [];
  const candidates = db
    .prepare(
      `SELECT DISTINCT session_id FROM events WHERE source_kind = 'agent-log' AND time >= :from AND time <= :to AND session_id IS NOT NULL
         AND (coalesce(json_extract(attrs, '$.gitCommitId'), json_extract(attrs, '$.git_commit_id')) IN (:sha, substr(:sha, 1, 7), substr(:sha, 1, 12))
              OR (action LIKE 'session:%' AND lower(actor) = lower(:email)))`,
    )
    .all({ from: shift(c.committer_time, -SESSION_SPAN_MS), to: c.committer_time, sha, email: c.author_email ?? "" }) as { session_id: string }[];
  return candidates
    .flatMap(({ session_id }) => {
      const link = sessionCommits(db, session_id, c.committer_time).find((l) => l.commit.sha === sha);
      return link ? [{ sessionId: session_id, link }] : [];
    })
    .sort((a, b) => RANK[a.link.confidence] - RANK[b.link.confidence]);
}

export interface TimelineEntry {
  kind: "session" | "prompt" | "tool-call";
  eventId: number;
  time: string;
  action: string;
  command: string | null;
  file: string;
  locator: string;
  /** CloudTrail events this tool call probably caused. */
  cloud: CloudLink[];
}

export interface SessionTimeline {
  sessionId: string;
  user: string | null;
  product: string | null;
  start: string;
  end: string;
  entries: TimelineEntry[];
  commits: CommitLink[];
}

/** One session's story in time order: prompts, tool calls with the cloud events they caused, then its commits. */
export function sessionTimeline(db: Db, sessionId: string, around: string): SessionTimeline | undefined {
  const bounds = sessionBounds(db, sessionId, around);
  if (!bounds) return undefined;
  const rows = db
    .prepare(`${TOOL_CALL_SQL} WHERE e.source_kind = 'agent-log' AND e.time >= :from AND e.time <= :to AND e.session_id = :sid ORDER BY e.time, e.id`)
    .all({ sid: sessionId, from: bounds.start, to: bounds.end }) as ToolCallRow[];
  const entries = rows.flatMap((r): TimelineEntry[] => {
    const kind = r.action === "session:UserPromptSubmit" ? "prompt" : r.action.startsWith("session:") ? (r.action === "session:SessionStart" ? "session" : null) : "tool-call";
    if (!kind) return [];
    return [{ kind, eventId: r.id, time: r.time, action: r.action, command: r.command, file: r.file, locator: r.locator, cloud: kind === "tool-call" ? cloudCandidates(db, r) : [] }];
  });
  return { sessionId, user: sessionUser(db, sessionId, around), product: bounds.product, start: bounds.start, end: bounds.end, entries, commits: sessionCommits(db, sessionId, around) };
}

const cloudLink = (l: CloudLink): ChainLink => ({
  role: "cloud-event", ref: `event:${l.event.id}`, file: l.event.file, locator: l.event.locator, time: l.event.time,
  summary: `${l.event.action} on ${l.event.target ?? "(no target)"} by ${l.event.actor ?? "unknown"} (${l.event.outcome})`, confidence: l.confidence, basis: l.basis,
});
const commitLink = (l: CommitLink): ChainLink => ({
  role: "commit", ref: `commit:${l.commit.sha}`, file: l.commit.file, locator: l.commit.locator, time: l.commit.committer_time,
  summary: `${l.commit.repo}@${l.commit.sha.slice(0, 12)} "${l.commit.subject}"`, confidence: l.confidence, basis: l.basis,
});
const entryLink = (e: TimelineEntry, role: ChainLink["role"], summary: string): ChainLink => ({ role, ref: `event:${e.eventId}`, file: e.file, locator: e.locator, time: e.time, summary });
/** Keep what an auditor needs: every high and medium link, else the single best guess. */
const strongest = (links: CloudLink[]) => (links.some((l) => l.confidence !== "low") ? links.filter((l) => l.confidence !== "low") : links.slice(0, 1));

/** The chain for a tool call inside its session: session, the prompt before it, the call, its cloud events, the session's commits. */
function chainThroughCall(db: Db, call: ToolCallRow, cloud?: CloudLink): ChainLink[] {
  const timeline = call.session_id ? sessionTimeline(db, call.session_id, call.time) : undefined;
  const entry = timeline?.entries.find((e) => e.eventId === call.id);
  const callEntry: TimelineEntry = entry ?? { kind: "tool-call", eventId: call.id, time: call.time, action: call.action, command: call.command, file: call.file, locator: call.locator, cloud: [] };
  const links: ChainLink[] = [];
  if (timeline) {
    const start = timeline.entries.find((e) => e.kind === "session");
    if (start) links.push(entryLink(start, "session", `${timeline.product ?? "agent"} session ${timeline.sessionId} by ${timeline.user ?? "unknown user"}`));
    const prompt = timeline.entries.filter((e) => e.kind === "prompt" && e.time <= call.time).at(-1);
    if (prompt) links.push(entryLink(prompt, "prompt", "the prompt that preceded the call"));
  }
  links.push(entryLink(callEntry, "tool-call", `${call.action}: ${call.command ?? ""}`.trim()));
  const caused = entry?.cloud ?? cloudCandidates(db, call);
  const chosen = strongest(caused);
  if (cloud && !chosen.some((l) => l.event.id === cloud.event.id)) chosen.unshift(cloud);
  links.push(...chosen.map((l) => withConflict(cloudLink(l), l.event, call.agent_product)));
  links.push(...(timeline?.commits ?? []).map(commitLink));
  return links;
}

/** Flags a cloud link whose call CloudTrail attributes to another agent product than the correlated tool call's. */
function withConflict(link: ChainLink, ev: CloudRow, product: string | null): ChainLink {
  if (!ev.agent_product || !product || ev.agent_product.toLowerCase() === product.toLowerCase()) return link;
  return {
    ...link,
    conflict: `CloudTrail attributes ${ev.action} to ${ev.agent_product}${ev.attribution ? ` (by ${ev.attribution})` : ""}, but the tool call it is correlated to is ${product}'s: either ${product} acted with ${ev.agent_product}'s identity, or the correlation is wrong`,
  };
}

/**
 * The chain behind a finding's first evidence reference: from an agent tool call forwards, from
 * a CloudTrail event back to the tool call that probably caused it, from a commit back to the
 * session that produced it (with that session's destructive calls). Empty when nothing links.
 */
export function chainFor(db: Db, evidence: readonly EvidenceRef[]): ChainLink[] {
  const first = evidence[0];
  if (!first) return [];
  const [kind, id] = [first.ref.slice(0, first.ref.indexOf(":")), first.ref.slice(first.ref.indexOf(":") + 1)];
  if (kind === "event") {
    const row = db.prepare("SELECT source_kind FROM events WHERE id = ?").get(Number(id)) as { source_kind: string } | undefined;
    if (row?.source_kind === "agent-log") {
      const call = loadToolCall(db, Number(id));
      return call ? chainThroughCall(db, call) : [];
    }
    if (row?.source_kind === "cloudtrail") {
      const best = toolCallsBehind(db, Number(id))[0];
      const call = best ? loadToolCall(db, best.toolCallId) : undefined;
      return call && best ? chainThroughCall(db, call, best.link) : [];
    }
    return [];
  }
  if (kind === "commit") {
    const best = sessionsBehindCommit(db, id)[0];
    if (!best) return [];
    const timeline = sessionTimeline(db, best.sessionId, best.link.commit.committer_time);
    if (!timeline) return [];
    const links: ChainLink[] = [];
    const start = timeline.entries.find((e) => e.kind === "session");
    if (start) links.push(entryLink(start, "session", `${timeline.product ?? "agent"} session ${timeline.sessionId} by ${timeline.user ?? "unknown user"}`));
    const prompt = timeline.entries.find((e) => e.kind === "prompt");
    if (prompt) links.push(entryLink(prompt, "prompt", "the session's first prompt"));
    // The calls that reached the cloud tell the story of the change; cap them to keep findings readable.
    for (const e of timeline.entries.filter((x) => x.kind === "tool-call" && x.cloud.length).slice(0, 5)) {
      links.push(entryLink(e, "tool-call", `${e.action}: ${e.command ?? ""}`.trim()), ...strongest(e.cloud).map(cloudLink));
    }
    links.push(commitLink(best.link));
    return links;
  }
  return [];
}
