import type { ChainVerification } from "../store/hook-chains.ts";
import { defineRule, fail, pass, type RuleResult } from "./define.ts";
import type { EvidenceRef } from "../evidence-ref.ts";

interface Row { source: string; folder: string; result: string }

/** Problems listed in one finding's message; the rest are counted (the inventory lists them all). */
const LISTED = 5;

export default defineRule({
  id: "agent-hook-log-chain-intact",
  title: "Agent hook logs written by evidence hook have an unbroken hash chain",
  rationale:
    "An agent's audit log is evidence only if it is complete and unaltered: evidence hook chains every line to the one before it (SHA-256) and each day's file to the day before, so an edited or deleted line, or a deleted day's file, breaks the chain when it is checked at ingest.",
  severity: "high",
  sources: ["agent-log"],
  frequency: "continuous",
  evaluate(ctx) {
    const sql = "SELECT source, folder, result FROM hook_chains ORDER BY source, folder";
    const rows = ctx.all<Row>(sql);
    const population = { description: "Folders of hash-chained agent hook logs verified at ingest", query: sql, size: rows.length };
    const results: RuleResult[] = rows.map((row) => {
      const r = JSON.parse(row.result) as ChainVerification;
      const subject = `${row.source}:${row.folder}`;
      const ref: EvidenceRef = { ref: `hook-chain:${subject}`, file: row.folder, locator: "hash chain" };
      if (r.problems.length === 0) return pass(subject, `${r.lines} lines in ${r.files} daily file${r.files === 1 ? "" : "s"} under ${row.folder} form an unbroken hash chain.`, [ref]);
      const listed = r.problems.slice(0, LISTED).map((p) => p.message);
      const more = r.problems.length > LISTED ? `; and ${r.problems.length - LISTED} more (evidence inventory)` : "";
      const refs = r.problems.slice(0, LISTED).map((p): EvidenceRef => ({ ref: `hook-chain:${subject}:${p.file}:${p.line}`, file: p.file, locator: `line ${p.line}` }));
      return fail(subject, `Hash chain under ${row.folder} broken in ${r.problems.length} place${r.problems.length === 1 ? "" : "s"}: ${listed.join("; ")}${more}.`, refs);
    });
    return {
      population,
      results: results.length
        ? results
        : [{ outcome: "no-evidence", subject: "agent-hook-logs", message: "No agent log carries an evidence hook hash chain: install the logging hook with `evidence hook install` and collect its folder.", evidence: [] }],
    };
  },
});
