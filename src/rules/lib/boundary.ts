import { registerRef, type TestedItem } from "../define.ts";
import type { EvidenceRef } from "../../evidence-ref.ts";

/**
 * An agent action judged against its tool's action boundary (registers/ai-tools.yaml
 * `environments` and `permissionBoundary`), shared by the agent-log and CloudTrail boundary rules so
 * both judge the same way. A class in none of the boundary's lists is not permitted: the boundary
 * lists what a tool may do, so anything else is outside it.
 */
export type ViolationKind = "no-boundary" | "prohibited" | "not-permitted" | "environment" | "unconfirmed";

/** The tool an event belongs to: the inventory row whose product or an alias names the event's agent product or agent id. */
export const TOOL_JOIN = `LEFT JOIN register_ai_tools t ON t.row = (SELECT r.row FROM register_ai_tools r
    WHERE lower(r.product) = lower(e.agent_product)
       OR EXISTS (SELECT 1 FROM json_each(r.aliases) a WHERE lower(a.value) IN (lower(e.agent_product), lower(coalesce(e.agent_id, ''))))
    ORDER BY r.row LIMIT 1)`;
export const TOOL_COLUMNS = `t.product AS tool, t.register AS tool_register, t.row AS tool_row, t.file AS tool_file, t.locator AS tool_locator,
  t.environments AS tool_environments, t.permitted AS tool_permitted, t.prohibited AS tool_prohibited, t.confirm_first AS tool_confirm_first`;

export interface ToolColumns {
  tool: string | null; tool_register: string | null; tool_row: number | null; tool_file: string | null; tool_locator: string | null;
  tool_environments: string | null; tool_permitted: string | null; tool_prohibited: string | null; tool_confirm_first: string | null;
}

export interface JudgedAction extends ToolColumns {
  agent_product: string | null;
  /** Space-separated action classes, as the events table stores them. */
  classes: string;
  environment: string;
  /** A person confirmed the action (agent log) or a confirmed agent-log action accounts for it (CloudTrail). */
  confirmed: boolean;
  /** Refused, so it never ran: the boundary held. */
  denied: boolean;
}

export interface Violation {
  kind: ViolationKind;
  /** What about the action breaks the boundary, as a clause ("its class is prohibited (…)"). */
  text: string;
}

const list = (json: string | null): string[] => (json ? (JSON.parse(json) as string[]) : []);

export function judge(a: JudgedAction): Violation[] {
  if (a.denied) return [];
  if (a.tool === null) return [{ kind: "no-boundary", text: `${a.agent_product ?? "an unattributed agent"} is not in the AI tool inventory, so no boundary is declared` }];
  if (a.tool_permitted === null) return [{ kind: "no-boundary", text: `the inventory entry of ${a.tool} declares no permission boundary` }];
  const classes = a.classes.split(" ").filter(Boolean);
  const permitted = list(a.tool_permitted), prohibited = list(a.tool_prohibited), confirmFirst = list(a.tool_confirm_first);
  const environments = list(a.tool_environments);
  const out: Violation[] = [];
  const banned = classes.filter((c) => prohibited.includes(c));
  if (banned.length) out.push({ kind: "prohibited", text: `its class is prohibited (${banned.join(", ")})` });
  const unlisted = classes.filter((c) => !permitted.includes(c) && !confirmFirst.includes(c) && !prohibited.includes(c));
  if (unlisted.length) out.push({ kind: "not-permitted", text: `its class is not permitted (${unlisted.join(", ")}; the boundary permits ${[...permitted, ...confirmFirst].join(", ") || "none"})` });
  // An environment the classifier could not tell is not tested: it is stated on the item instead.
  if (a.environment !== "unknown" && !environments.includes(a.environment)) out.push({ kind: "environment", text: `it acted in ${a.environment}, outside the tool's environments (${environments.join(", ")})` });
  const gated = classes.filter((c) => confirmFirst.includes(c));
  if (gated.length && !a.confirmed) out.push({ kind: "unconfirmed", text: `its confirm-first class (${gated.join(", ")}) had no person's confirmation` });
  return out;
}

/** The workpaper line: what was observed on the action and its verdict. */
export function boundaryItem(key: string, a: JudgedAction, violations: Violation[], evidence: EvidenceRef): TestedItem {
  const observed = [
    `classes ${a.classes || "none"}`,
    `environment ${a.environment}${a.environment === "unknown" ? " (not tested)" : ""}`,
    a.denied ? "denied (did not run)" : a.confirmed ? "confirmed by a person" : "no confirmation by a person",
    violations.length ? `outside: ${violations.map((v) => v.kind).join(", ")}` : "within boundary",
  ].join("; ");
  return { key, observed, result: violations.length ? "exception" : "pass", evidence };
}

/** The inventory row that declares the boundary, as evidence beside the action. */
export function toolRef(a: ToolColumns): EvidenceRef[] {
  return a.tool_register !== null && a.tool_row !== null && a.tool_file !== null && a.tool_locator !== null
    ? [registerRef({ register: a.tool_register, row: a.tool_row, file: a.tool_file, locator: a.tool_locator })]
    : [];
}
