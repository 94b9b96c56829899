import { parse as parseCsv } from "csv-parse";
import { pipeline } from "node:stream";
import picomatch from "picomatch";
import type { EnrichContext } from "../enrich.ts";
import { isRecord, reject, str, timeRejectReason, toIsoTime, type ParsedItem, type Parser, type ParserInput } from "../parser.ts";
import { callEvent, firstStr, isParsedItem, objectRecords, sessionEvent } from "./calls.ts";
import actionClasses from "./github-audit-actions.json" with { type: "json" };
import { jsonRecords, textLines } from "./records.ts";

/**
 * The GitHub enterprise/organization audit log export, JSON (an array, or one event per line as
 * streamed) or CSV, read for the actions of agents (GitHub docs "Audit log events for
 * agents", github/docs `agentic-audit-log-events.md`): an agent event is the normal action (`pull_request.create`,
 * `git.push`) with `actor_is_agent: true`, `agent_session_id`, and `user` = the human who started
 * the agent. `@timestamp` and `created_at` are epoch milliseconds.
 *
 * Copilot administration events (`copilot.*`: seats, org settings, content exclusions) are kept as
 * session context (configuration evidence). Other people's events are not agent evidence: they are
 * skipped and counted in a note.
 */
export const PRODUCT = "github-copilot";
const CLASS_MATCHERS = Object.entries(actionClasses.classes).map(([cls, globs]) => ({ cls, match: picomatch(globs) }));

export function classifyAuditAction(action: string): { classes: string[]; basis: string } {
  const classes = CLASS_MATCHERS.filter((m) => m.match(action)).map((m) => m.cls);
  return { classes: classes.length ? classes : ["execute"], basis: `audit action ${action}` };
}

function bool(v: unknown): boolean {
  return v === true || (typeof v === "string" && v.toLowerCase() === "true");
}

export function createGitHubAuditLogParser(ctx: EnrichContext): Parser {
  return { name: "github-audit-log", version: "1", parse: (input) => parseAudit(input, ctx) };
}

/** Maps one audit event; `null` for an event that is neither an agent's nor Copilot administration. */
export function auditItem(rec: Record<string, unknown>, at: string, ctx: EnrichContext): ParsedItem | null {
  const action = str(rec.action);
  if (!action) return reject(at, 'not a GitHub audit log event: no "action"', JSON.stringify(rec));
  const actor = firstStr(rec, "actor", "actor_login");
  const agent = bool(rec.actor_is_agent);
  if (!agent && !action.startsWith("copilot.")) return null;
  const time = toIsoTime(rec["@timestamp"]) ?? toIsoTime(rec.created_at) ?? toIsoTime(rec.timestamp);
  if (!time) return reject(at, timeRejectReason(rec, ["@timestamp", "created_at", "timestamp"], `${action} without "@timestamp"/"created_at"`), JSON.stringify(rec));
  const repo = firstStr(rec, "repo", "repository");
  const sessionId = firstStr(rec, "agent_session_id");
  const common = { org: str(rec.org), business: str(rec.business), documentId: str(rec._document_id), actorId: rec.actor_id ?? null };
  if (!agent) {
    // copilot.* administration by a person: configuration evidence, not an agent action.
    return { kind: "event", event: sessionEvent({ product: PRODUCT, time, sessionId, type: action, operator: actor, repository: repo, locator: at, known: true, attrs: { ...common, user: str(rec.user) } }, ctx) };
  }
  const product = !actor || /^copilot(\[bot\])?$/i.test(actor) ? PRODUCT : actor.toLowerCase();
  const operator = firstStr(rec, "user", "user_login");
  return {
    kind: "event",
    event: callEvent(
      {
        product, key: str(rec._document_id) ?? `${sessionId ?? "-"}:${time}:${action}`, time, sessionId, operator, tool: action,
        classes: classifyAuditAction(action), args: null, target: repo ?? str(rec.pull_request_url) ?? null, repository: repo,
        outcome: "succeeded",
        approval: "policy",
        approvalEvidence: `${actor ?? "agent"} acting for ${operator ?? "an unnamed user"}${sessionId ? ` (agent_session_id ${sessionId})` : ""}: GitHub records no per-action confirmation for agents; their changes reach protected branches only through pull request review`,
        locator: at,
        attrs: { ...common, actor },
      },
      ctx,
    ),
  };
}

async function* parseAudit(input: ParserInput, ctx: EnrichContext): AsyncIterable<ParsedItem> {
  let first: string | undefined;
  for await (const line of textLines(input)) {
    if (line.trim() === "") continue;
    first = line.trim();
    break;
  }
  const csv = first !== undefined && !first.startsWith("{") && !first.startsWith("[");
  let skipped = 0;
  const records = csv ? csvRecords(input) : objectRecords(jsonRecords(input), "a GitHub audit log event");
  for await (const r of records) {
    if (isParsedItem(r)) {
      yield r;
      continue;
    }
    const item = auditItem(r.rec, r.at, ctx);
    if (item) yield item;
    else skipped++;
  }
  if (skipped) yield { kind: "note", text: `${skipped} audit event${skipped === 1 ? "" : "s"} by people or apps (not agents) skipped` };
}

/** CSV rows as objects keyed by the header, with their line; malformed rows become rejects. */
async function* csvRecords(input: ParserInput): AsyncIterable<{ rec: Record<string, unknown>; at: string; line: number } | ParsedItem> {
  const problems: ParsedItem[] = [];
  // pipeline, not pipe: a stream error (a truncated gzip) must reach the CSV parser, or its
  // iterator waits forever and the run ends with the event loop empty, mid-ingest.
  const parser = pipeline(
    input.openStream(),
    parseCsv({
      columns: true, bom: true, info: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true,
      on_skip: (err) => {
        problems.push(reject(`line ${err?.lines ?? "?"}`, `malformed CSV row: ${err?.message ?? "unreadable"}`));
        return undefined;
      },
    }),
    () => {},
  );
  let read = 0;
  try {
    for await (const row of parser as AsyncIterable<{ record: Record<string, unknown>; info: { lines: number } }>) {
      yield* problems.splice(0);
      read = row.info.lines;
      if (!isRecord(row.record)) continue;
      yield { rec: row.record, at: `line ${row.info.lines}`, line: row.info.lines };
    }
  } catch (error) {
    yield* problems.splice(0);
    const lines = (error as { lines?: number }).lines;
    const why = `CSV ends early: ${(error as Error).message} (truncated or corrupt)`;
    yield reject(`line ${lines ?? read + 1}`, why, undefined, `${why}; read up to line ${read}`);
    return;
  }
  yield* problems.splice(0);
}
