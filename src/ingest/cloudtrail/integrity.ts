import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { verifyDigestFolder } from "../../cloudtrail/digest-files.ts";
import type { DigestVerification } from "../../cloudtrail/digest.ts";
import fileNames from "../../cloudtrail/digest-file-names.json" with { type: "json" };
import type { Redactor } from "../../redact/index.ts";
import type { Db } from "../../store/index.ts";

/**
 * Runs the offline digest verification (src/cloudtrail/digest-files.ts) over the folders a
 * CloudTrail source reads, and keeps the result per folder for the evidence inventory and the
 * CC7.2 rule. A folder is re-verified only when its listing (names, sizes, times) changed, since
 * verification re-reads every log file. `aws cloudtrail list-public-keys` output saved in the
 * folder as `*public-keys*.json` enables the RSA signature checks.
 */
const DIGEST = new RegExp(fileNames.digestFile);
const LAKE_SIGN = new RegExp(fileNames.lakeSignFile);
const PUBLIC_KEYS = /public-keys.*\.json$/i;

/** The static part of each glob: `cloudtrail/**\/*.json.gz` -> `cloudtrail`. */
export function sourceFolders(patterns: string[]): string[] {
  const roots = patterns.map((p) => {
    const parts = p.split("/");
    const i = parts.findIndex((s) => /[*?[\]{}!]/.test(s));
    return (i < 0 ? parts.slice(0, -1) : parts.slice(0, i)).join("/") || ".";
  });
  return [...new Set(roots)].sort();
}

export interface FolderIntegrity {
  folder: string;
  ok: boolean;
  result: DigestVerification | null;
  /** Set when the folder holds no digest or Lake sign file at all. */
  none: boolean;
}

/** Bumped when verifyIntegrity's result changes meaning or shape (2: logs no digest covers are apart from those one should have listed). */
const VERIFICATION_VERSION = 2;

function listing(dir: string): { files: string[]; hash: string } {
  const files: string[] = [];
  // The result's shape is part of what is cached: a stored result from an older verification is redone.
  const hash = createHash("sha256").update(`verification ${VERIFICATION_VERSION}\n`);
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        const s = statSync(p);
        files.push(p);
        hash.update(`${path.relative(dir, p)}\t${s.size}\t${s.mtimeMs}\n`);
      }
    }
  };
  walk(dir);
  return { files, hash: hash.digest("hex") };
}

export async function recordTrailIntegrity(
  db: Db, root: string, source: { name: string; paths: string[] }, now: Date, redactor?: Redactor,
): Promise<FolderIntegrity[]> {
  const out: FolderIntegrity[] = [];
  const folders = sourceFolders(source.paths);
  for (const folder of folders) {
    const dir = path.resolve(root, folder);
    let list: { files: string[]; hash: string };
    try {
      list = listing(dir);
    } catch {
      continue;
    }
    const known = db.prepare("SELECT inputs_sha256, ok, result FROM cloudtrail_integrity WHERE source = ? AND folder = ?").get(source.name, folder) as
      | { inputs_sha256: string; ok: number; result: string }
      | undefined;
    if (known && known.inputs_sha256 === list.hash) {
      const result = JSON.parse(known.result) as DigestVerification | null;
      out.push({ folder, ok: known.ok === 1, result, none: result === null });
      continue;
    }
    const names = list.files.map((f) => path.basename(f));
    const none = !names.some((n) => DIGEST.test(n) || LAKE_SIGN.test(n));
    // Without digests, verification would only report every log as unlisted: record that plainly instead.
    const keys = list.files.find((f) => PUBLIC_KEYS.test(path.basename(f)));
    const verified = none ? null : await verifyDigestFolder(dir, keys ? { publicKeysFile: keys } : {});
    // The result names log files (listed, unlisted, missing): a secret in a file name is redacted like one in a record.
    const result = verified && redactor ? redactor.redactDeep(verified) : verified;
    const ok = result?.ok ?? false;
    db.prepare(
      `INSERT INTO cloudtrail_integrity (source, folder, inputs_sha256, verified_at, ok, digests, log_files_listed, log_files_verified, result)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (source, folder) DO UPDATE SET inputs_sha256 = excluded.inputs_sha256, verified_at = excluded.verified_at, ok = excluded.ok,
         digests = excluded.digests, log_files_listed = excluded.log_files_listed, log_files_verified = excluded.log_files_verified, result = excluded.result`,
    ).run(source.name, folder, list.hash, now.toISOString(), ok ? 1 : 0, result?.digests ?? 0, result?.logFilesListed ?? 0, result?.logFilesVerified ?? 0, JSON.stringify(result));
    out.push({ folder, ok, result, none });
  }
  const keep = new Set(folders);
  for (const r of db.prepare("SELECT folder FROM cloudtrail_integrity WHERE source = ?").all(source.name) as { folder: string }[]) {
    if (!keep.has(r.folder)) db.prepare("DELETE FROM cloudtrail_integrity WHERE source = ? AND folder = ?").run(source.name, r.folder);
  }
  return out;
}
