import type { DigestVerification } from "./digest.ts";

const sample = (list: string[]) => (list.length <= 3 ? list.join(", ") : `${list.slice(0, 3).join(", ")} and ${list.length - 3} more`);

/** One sentence per kind of problem a digest verification found; empty when the logs check out. */
export function integrityProblems(r: DigestVerification): string[] {
  const out: string[] = [];
  if (r.altered.length) out.push(`${r.altered.length} log file(s) altered since delivery (${sample(r.altered.map((a) => a.file))})`);
  if (r.listedButMissing.length) out.push(`${r.listedButMissing.length} log file(s) listed in a digest but missing (${sample(r.listedButMissing)})`);
  if (r.presentButUnlisted.length) out.push(`${r.presentButUnlisted.length} log file(s) a digest should have listed but none does (${sample(r.presentButUnlisted)})`);
  if (r.notCovered.length) out.push(`${r.notCovered.length} log file(s) no digest covers, so their integrity cannot be checked (${sample(r.notCovered.map((n) => `${n.file}: ${n.reason}`))})`);
  if (r.missingHours.length) out.push(`${r.missingHours.length} period(s) without digests (${sample(r.missingHours.map((h) => `${h.region} ${h.from}..${h.to}`))})`);
  if (r.chainBreaks.length) out.push(`${r.chainBreaks.length} broken digest chain link(s) (${sample(r.chainBreaks.map((b) => `${b.digest}: ${b.reason}`))})`);
  const badSig = r.signatures.filter((s) => s.status === "invalid");
  if (badSig.length) out.push(`${badSig.length} digest signature(s) invalid`);
  if (r.unreadable.length) out.push(`${r.unreadable.length} file(s) unreadable (${sample(r.unreadable.map((u) => u.file))})`);
  for (const l of r.lake.filter((x) => !x.ok)) out.push(`CloudTrail Lake result ${l.signFile}: ${l.invalid ?? `${l.altered.length} altered, ${l.missing.length} missing, signature ${l.signature.status}`}`);
  return out;
}
