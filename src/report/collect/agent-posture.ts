import type { Period } from "../../period.ts";
import type { Db } from "../../store/index.ts";
import type { AgentActionGroup } from "./activity.ts";
import { sqliteOrder } from "./sql-order.ts";

/**
 * The permission posture behind the agent actions: the mode in force per session and its changes
 * (the `session_modes` view over agent records), actions by the mode they ran in, and the agent
 * settings files ingested as configuration evidence. Aggregates only; rows are capped.
 */
export interface AgentPosture {
  byMode: { agentProduct: string; mode: string; actions: number; destructive: number }[];
  /** Sessions that ran at least one action in a mode that does not ask a person. */
  unattendedSessions: { agentProduct: string; sessionId: string; modes: string; first: string; last: string; actions: number; destructive: number }[];
  modeChanges: { time: string; agentProduct: string; sessionId: string; from: string | null; to: string; trigger: string | null; file: string; locator: string }[];
  settings: {
    file: string; product: string; scope: string; defaultMode: string | null; sandbox: string | null; bypassDisabled: boolean | null; bypassDefault: boolean;
    allow: number; ask: number; deny: number; probes: number; denied: number; allowed: number; remarks: string[];
  }[];
}

/** Modes in which an agent acts without asking a person (Claude, Codex approval_policy, Gemini CLI). */
export const UNATTENDED_MODES = ["bypassPermissions", "dontAsk", "auto", "never", "yolo"];
const LIMIT = 50;

/**
 * Actions by mode and the unattended sessions are sums of the period's agent action groups
 * (activity.ts: one pass over the store serves them, the activity summary and the approval tables).
 */
export function collectAgentPosture(db: Db, period: { startIso: string; endIso: string } | Period, groups: AgentActionGroup[]): AgentPosture {
  const p = { start: period.startIso, end: period.endIso };
  const modes = new Map<string, AgentPosture["byMode"][number]>();
  const sessions = new Map<string, Omit<AgentPosture["unattendedSessions"][number], "modes">>();
  for (const g of groups) {
    const destructive = g.destructive * g.n;
    const modeKey = `${g.product}\u0000${typeof g.mode}\u0000${g.mode}`;
    const m = modes.get(modeKey);
    if (m) {
      m.actions += g.n;
      m.destructive += destructive;
    } else modes.set(modeKey, { agentProduct: g.product, mode: g.mode, actions: g.n, destructive });
    if (g.unattendedSession === null) continue;
    const key = `${g.product}\u0000${g.unattendedSession}`;
    const u = sessions.get(key);
    if (!u) sessions.set(key, { agentProduct: g.product, sessionId: g.unattendedSession, first: g.first, last: g.last, actions: g.n, destructive });
    else {
      u.actions += g.n;
      u.destructive += destructive;
      if (g.first < u.first) u.first = g.first;
      if (g.last > u.last) u.last = g.last;
    }
  }
  // As ORDER BY product, actions DESC, mode did; then sum(destructive) DESC, min(time), the ties in GROUP BY order.
  const byMode = [...modes.values()].sort((a, b) => sqliteOrder(a.agentProduct, b.agentProduct) || b.actions - a.actions || sqliteOrder(a.mode, b.mode));
  const sessionModes = db.prepare("SELECT group_concat(mode, ' > ') AS modes FROM (SELECT DISTINCT mode FROM session_modes m WHERE m.session_id = ? ORDER BY m.time)");
  const unattendedSessions = [...sessions.values()]
    .sort((a, b) => b.destructive - a.destructive || sqliteOrder(a.first, b.first) || sqliteOrder(a.agentProduct, b.agentProduct) || sqliteOrder(a.sessionId, b.sessionId))
    .slice(0, LIMIT)
    .map(({ agentProduct, sessionId, ...u }) => ({ agentProduct, sessionId, modes: (sessionModes.get(sessionId) as { modes: string }).modes, ...u }));
  const modeChanges = db
    .prepare(
      `SELECT m.time, coalesce(m.agent_product, 'unknown') AS agentProduct, m.session_id AS sessionId, m.from_mode AS "from", m.mode AS "to",
         m.trigger, f.path AS file, m.locator
       FROM session_modes m JOIN source_files f ON f.id = m.file_id
       WHERE m.action LIKE 'session:%' AND m.from_mode IS NOT NULL AND m.from_mode <> m.mode AND m.time >= :start AND m.time < :end
       ORDER BY m.time, m.session_id LIMIT ${LIMIT}`,
    )
    .all(p) as AgentPosture["modeChanges"];
  const settings = (
    db
      .prepare(
        `SELECT f.path AS file, s.product, s.scope, s.default_mode AS defaultMode, s.sandbox, s.bypass_disabled AS bypassDisabled, s.bypass_default AS bypassDefault,
           s.allow_count AS allow, s.ask_count AS ask, s.deny_count AS deny, s.destructive_probes AS probes, s.destructive_denied AS denied,
           s.destructive_allowed AS allowed, s.posture
         FROM agent_settings s JOIN source_files f ON f.id = s.file_id ORDER BY f.path`,
      )
      .all() as (Omit<AgentPosture["settings"][number], "remarks" | "bypassDisabled" | "bypassDefault"> & { bypassDisabled: number | null; bypassDefault: number; posture: string })[]
  ).map(({ posture, bypassDisabled, bypassDefault, ...s }) => ({
    ...s,
    bypassDisabled: bypassDisabled === null ? null : bypassDisabled === 1,
    bypassDefault: bypassDefault === 1,
    remarks: (JSON.parse(posture) as { remarks?: string[] }).remarks ?? [],
  }));
  return { byMode, unattendedSessions, modeChanges, settings };
}
