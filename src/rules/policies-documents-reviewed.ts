import { lastDayOf } from "../registers/acceptance.ts";
import { defineRule, fail, pass, registerRef } from "./define.ts";

interface DocRow { register: string; row: number; file: string; locator: string; doc_id: string; title: string; version: string; owner: string; reviewed: string; next_review: string }

export default defineRule({
  id: "policies-documents-reviewed",
  title: "Procedures and policies were reviewed on schedule",
  rationale: "Documented operating procedures must be kept current (A.5.37); a document past its review date may no longer describe how agents are actually used.",
  severity: "low",
  sources: [],
  registers: ["policies"],
  frequency: "annual",
  evaluate(ctx) {
    const lastDay = lastDayOf(ctx.period);
    const docs = ctx.all<DocRow>("SELECT * FROM register_documents ORDER BY doc_id");
    const population = { description: `Documents in the policies register, review dates judged on ${lastDay}`, query: "SELECT * FROM register_documents", size: docs.length };
    if (docs.length === 0) return { population, results: [fail("policies register", "The policies register lists no procedure or policy.")] };
    return {
      population,
      results: docs.map((d) =>
        d.next_review < lastDay
          ? fail(d.doc_id, `${d.doc_id} "${d.title}" v${d.version} (owner ${d.owner}) was due for review on ${d.next_review}; last reviewed ${d.reviewed}.`, [registerRef(d)])
          : pass(d.doc_id, `${d.doc_id} v${d.version} reviewed ${d.reviewed}, next review ${d.next_review}.`, [registerRef(d)]),
      ),
    };
  },
});
