import type { DigestVerification } from "../cloudtrail/digest.ts";
import { defineRule, fail, pass, type EvidenceRef, type RuleResult } from "./define.ts";

interface Row { source: string; folder: string; ok: number; result: string }

const sample = (list: string[]) => (list.length <= 3 ? list.join(", ") : `${list.slice(0, 3).join(", ")} and ${list.length - 3} more`);

/** One sentence per kind of problem the verification found in one folder. */
function problems(r: DigestVerification): string[] {
  const out: string[] = [];
  if (r.altered.length) out.push(`${r.altered.length} log file(s) altered since delivery (${sample(r.altered.map((a) => a.file))})`);
  if (r.listedButMissing.length) out.push(`${r.listedButMissing.length} log file(s) listed in a digest but missing (${sample(r.listedButMissing)})`);
  if (r.presentButUnlisted.length) out.push(`${r.presentButUnlisted.length} log file(s) no digest vouches for (${sample(r.presentButUnlisted)})`);
  if (r.missingHours.length) out.push(`${r.missingHours.length} period(s) without digests (${sample(r.missingHours.map((h) => `${h.region} ${h.from}..${h.to}`))})`);
  if (r.chainBreaks.length) out.push(`${r.chainBreaks.length} broken digest chain link(s) (${sample(r.chainBreaks.map((b) => `${b.digest}: ${b.reason}`))})`);
  const badSig = r.signatures.filter((s) => s.status === "invalid");
  if (badSig.length) out.push(`${badSig.length} digest signature(s) invalid`);
  if (r.unreadable.length) out.push(`${r.unreadable.length} file(s) unreadable (${sample(r.unreadable.map((u) => u.file))})`);
  for (const l of r.lake.filter((x) => !x.ok)) out.push(`CloudTrail Lake result ${l.signFile}: ${l.invalid ?? `${l.altered.length} altered, ${l.missing.length} missing, signature ${l.signature.status}`}`);
  return out;
}

export default defineRule({
  id: "cloudtrail-log-integrity-verified",
  title: "CloudTrail log files are complete and unaltered, as their digest files attest",
  rationale:
    "Evidence drawn from logs is only as good as the logs: CloudTrail's hourly digests chain SHA-256 hashes of every delivered file, so a deleted, edited or back-filled log shows up when the chain is checked offline.",
  severity: "high",
  sources: ["cloudtrail"],
  evaluate(ctx) {
    const rows = ctx.all<Row>("SELECT source, folder, ok, result FROM cloudtrail_integrity ORDER BY source, folder");
    const population = { description: "CloudTrail source folders verified against their digest files", query: "SELECT … FROM cloudtrail_integrity", size: rows.length };
    const results: RuleResult[] = rows.map((row) => {
      const r = JSON.parse(row.result) as DigestVerification | null;
      const subject = `${row.source}:${row.folder}`;
      const ref: EvidenceRef = { ref: `integrity:${subject}`, file: row.folder, locator: "digest chain" };
      if (!r) return { outcome: "no-evidence", subject, message: `${row.folder} holds no CloudTrail digest files: enable log file validation on the trail and copy the CloudTrail-Digest folders with the logs.`, evidence: [] };
      const found = problems(r);
      const signed = r.signatures.filter((s) => s.status === "valid").length;
      if (found.length === 0) return pass(subject, `${r.logFilesVerified} log files in ${row.folder} match ${r.digests} digests with an unbroken chain (${signed} signatures verified).`, [ref]);
      return fail(subject, `Log integrity in ${row.folder}: ${found.join("; ")}.`, [ref]);
    });
    return { population, results: results.length ? results : [{ outcome: "no-evidence", subject: "cloudtrail", message: "No CloudTrail folder was verified.", evidence: [] }] };
  },
});
