import type { RuleContext } from "../define.ts";
import type { EvidenceRef } from "../../evidence-ref.ts";

/**
 * What the period shows in use: agent products (from agent logs, agent identities in CloudTrail
 * and AI-attributed commits) and MCP servers (the `<server>` of `mcp__<server>__<tool>` or
 * `mcp:<server>:<tool>` tool names). Shared by the inventory and vendor rules so both judge the
 * same population. One row per (kind, name, source), with a count and the first record as evidence.
 */
const MCP_SERVER = `CASE
    WHEN action LIKE 'mcp\\_\\_%' ESCAPE '\\' AND instr(substr(action, 6), '__') > 1 THEN substr(action, 6, instr(substr(action, 6), '__') - 1)
    WHEN action LIKE 'mcp:%' AND instr(substr(action, 5), ':') > 1 THEN substr(action, 5, instr(substr(action, 5), ':') - 1)
  END`;

export const SEEN_SQL = `
  SELECT 'agent' AS kind, agent_product AS name, 'agent-log' AS source, count(*) AS n, min(id) AS event_id, NULL AS commit_id
    FROM agent_actions WHERE time >= :start AND time < :end AND agent_product IS NOT NULL GROUP BY agent_product
  UNION ALL
  SELECT 'agent', agent_product, 'cloudtrail', count(*), min(id), NULL
    FROM events WHERE source_kind = 'cloudtrail' AND actor_kind = 'agent' AND agent_product IS NOT NULL AND time >= :start AND time < :end GROUP BY agent_product
  UNION ALL
  SELECT 'agent', agent_product, 'git', count(*), NULL, min(id)
    FROM commits WHERE author_kind = 'agent' AND agent_product IS NOT NULL AND committer_time >= :start AND committer_time < :end GROUP BY agent_product
  UNION ALL
  SELECT 'mcp', server, 'agent-log', count(*), min(id), NULL
    FROM (SELECT id, ${MCP_SERVER} AS server FROM agent_actions
          WHERE time >= :start AND time < :end AND (action LIKE 'mcp\\_\\_%' ESCAPE '\\' OR action LIKE 'mcp:%'))
    WHERE server IS NOT NULL GROUP BY server`;

export interface SeenRow {
  kind: "agent" | "mcp";
  name: string;
  source: string;
  n: number;
  event_id: number | null;
  commit_id: number | null;
}

/** How a seen name reads in registers: agent products as they are, MCP servers as `mcp:<server>`. */
export const serviceName = (r: Pick<SeenRow, "kind" | "name">) => (r.kind === "mcp" ? `mcp:${r.name}` : r.name);

/** The first record of a seen row, as evidence. */
export function seenEvidence(ctx: RuleContext, r: SeenRow): EvidenceRef[] {
  if (r.event_id !== null) {
    const e = ctx.get<{ file: string; locator: string }>("SELECT f.path AS file, e.locator FROM events e JOIN source_files f ON f.id = e.file_id WHERE e.id = :id", { id: r.event_id });
    return e ? [{ ref: `event:${r.event_id}`, file: e.file, locator: e.locator }] : [];
  }
  const c = ctx.get<{ sha: string; file: string; locator: string }>("SELECT c.sha, f.path AS file, c.locator FROM commits c JOIN source_files f ON f.id = c.file_id WHERE c.id = :id", { id: r.commit_id });
  return c ? [{ ref: `commit:${c.sha}`, file: c.file, locator: c.locator }] : [];
}
