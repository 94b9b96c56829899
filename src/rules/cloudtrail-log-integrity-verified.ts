import type { DigestVerification } from "../cloudtrail/digest.ts";
import { integrityProblems } from "../cloudtrail/integrity-problems.ts";
import { defineRule, fail, pass, type RuleResult } from "./define.ts";
import type { EvidenceRef } from "../evidence-ref.ts";

interface Row { source: string; folder: string; ok: number; result: string }

const SQL = "SELECT source, folder, ok, result FROM cloudtrail_integrity ORDER BY source, folder";

export default defineRule({
  id: "cloudtrail-log-integrity-verified",
  title: "CloudTrail log files are complete and unaltered, as their digest files attest",
  rationale:
    "Evidence drawn from logs is only as good as the logs: CloudTrail's hourly digests chain SHA-256 hashes of every delivered file, so a deleted, edited or back-filled log shows up when the chain is checked offline.",
  severity: "high",
  sources: ["cloudtrail"],
  frequency: "continuous",
  evaluate(ctx) {
    const rows = ctx.all<Row>(SQL);
    const population = { description: "CloudTrail source folders verified against their digest files", query: SQL, size: rows.length };
    const results: RuleResult[] = rows.map((row) => {
      const r = JSON.parse(row.result) as DigestVerification | null;
      const subject = `${row.source}:${row.folder}`;
      const ref: EvidenceRef = { ref: `integrity:${subject}`, file: row.folder, locator: "digest chain" };
      if (!r) return { outcome: "no-evidence", subject, message: `${row.folder} holds no CloudTrail digest files: enable log file validation on the trail and copy the CloudTrail-Digest folders with the logs.`, evidence: [] };
      const found = integrityProblems(r);
      const signed = r.signatures.filter((s) => s.status === "valid").length;
      if (found.length === 0) return pass(subject, `${r.logFilesVerified} log files in ${row.folder} match ${r.digests} digests with an unbroken chain (${signed} signatures verified).`, [ref]);
      return fail(subject, `Log integrity in ${row.folder}: ${found.join("; ")}.`, [ref]);
    });
    return { population, results: results.length ? results : [{ outcome: "no-evidence", subject: "cloudtrail", message: "No CloudTrail folder was verified.", evidence: [] }] };
  },
});
