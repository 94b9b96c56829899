import { z } from "zod";
import type { Evaluation } from "../../evaluate.ts";
import data from "../../../controls/compensating.json" with { type: "json" };
import type { CompensatingControl } from "../model.ts";

const Compensates = z.strictObject({
  $comment: z.string().optional(),
  compensates: z.array(z.strictObject({ control: z.string(), by: z.string(), why: z.string().min(1) })),
});
const { compensates } = Compensates.parse(data);

/**
 * For each control, the controls that can compensate for it (a relation kept as data, never "any
 * other control that passed") and that were effective in the period, with their status reason.
 */
export function collectCompensating(evaluation: Evaluation): Record<string, CompensatingControl[]> {
  const byId = new Map(evaluation.controls.map((c) => [c.id, c]));
  const out: Record<string, CompensatingControl[]> = {};
  for (const c of evaluation.controls) {
    out[c.id] = compensates
      .filter((x) => x.control === c.id && x.by !== c.id && byId.get(x.by)?.status === "effective")
      .map((x) => ({ id: x.by, title: byId.get(x.by)!.title, why: x.why, evidence: byId.get(x.by)!.reason }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }
  return out;
}
