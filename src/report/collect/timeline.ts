import type { Evaluation } from "../../evaluate.ts";
import type { Db } from "../../store/index.ts";

/**
 * timeline.csv: every link of every finding's correlated chain (session -> prompt -> tool call ->
 * CloudTrail call -> commit, src/correlate.ts), with its time, source file and line, the rule that
 * made the link and its confidence. A CloudTrail call carries an attribution of its own (the agent
 * identity its role, session name or user agent matched); when that names another agent product
 * than the tool call it is correlated to, the link is flagged as a conflict: either the correlation
 * or the attribution is wrong, and the reader must not take the chain as one agent's story.
 */
export interface TimelineRow {
  findingId: string;
  ruleId: string;
  step: number;
  role: string;
  time: string;
  file: string;
  locator: string;
  /** The stable reference (`event:<source>:<key>`, `commit:<sha>`). */
  key: string;
  summary: string;
  linkRule: string;
  confidence: string;
  conflict: string;
}

interface EventInfo { key: string; agent_product: string | null; source_kind: string; signal: string | null }

/** Links recorded in the source itself (same session id, the finding's own record) carry no basis. */
const RECORDED = "recorded in the source: same session id";

export function collectTimeline(db: Db, evaluation: Pick<Evaluation, "findings">): TimelineRow[] {
  const info = db.prepare(
    `SELECT source_kind || ':' || event_key AS key, agent_product, source_kind, json_extract(attrs, '$.attribution.signal') AS signal FROM events WHERE id = ?`,
  );
  const eventInfo = (ref: string): EventInfo | undefined => (ref.startsWith("event:") ? (info.get(Number(ref.slice(6))) as EventInfo | undefined) : undefined);
  const rows: TimelineRow[] = [];
  for (const f of [...evaluation.findings].sort((a, b) => a.id.localeCompare(b.id))) {
    let toolProduct: string | null = null;
    (f.chain ?? []).forEach((link, i) => {
      const ev = eventInfo(link.ref);
      if (link.role === "tool-call") toolProduct = ev?.agent_product ?? null;
      let conflict = "";
      if (link.role === "cloud-event" && ev?.agent_product && toolProduct && ev.agent_product.toLowerCase() !== toolProduct.toLowerCase()) {
        conflict = `CloudTrail attributes this call to ${ev.agent_product}${ev.signal ? ` (by ${ev.signal})` : ""}, but the tool call it is correlated to is ${toolProduct}'s`;
      }
      rows.push({
        findingId: f.id, ruleId: f.ruleId, step: i + 1, role: link.role, time: link.time, file: link.file, locator: link.locator,
        key: ev ? `event:${ev.key}` : link.ref, summary: link.summary, linkRule: link.basis ?? RECORDED, confidence: link.confidence ?? "recorded", conflict,
      });
    });
  }
  return rows;
}
