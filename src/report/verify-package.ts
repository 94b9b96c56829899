import { createHash, type KeyObject } from "node:crypto";
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { InputError } from "../errors.ts";
import { SIGNATURE_FILE, verifyEnvelope, type DsseEnvelope } from "./signature.ts";

const Manifest = z.object({ outputs: z.array(z.object({ path: z.string(), sha256: z.string() })) });
const Envelope = z.object({
  payload: z.string(),
  payloadType: z.string(),
  signatures: z.array(z.object({ keyid: z.string().default(""), sig: z.string() })),
});

export const MANIFEST_FILE = "manifest.json";

/** Every file under `dir`, relative, with `/` separators, sorted. */
export function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(path.join(dir, name)).isDirectory() ? listFiles(path.join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`]));
}

/** Read in 1 MiB chunks: a month's population CSV is hundreds of megabytes, and holding it whole only to hash it costs that much memory. */
export function sha256File(file: string): string {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, "r");
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

export interface SignatureResult {
  present: boolean;
  /** Whether a public key was given and the signature checked against it. */
  checked: boolean;
  valid: boolean;
  keyids: string[];
  problem?: string;
}

export interface PackageVerification {
  intact: boolean;
  files: number;
  changed: string[];
  missing: string[];
  added: string[];
  signature: SignatureResult;
}

/**
 * Re-hashes every file the manifest lists and reports changed, missing and added files. When the
 * package is signed and a public key is given, the signature must verify and the signed statement
 * must name exactly the files present with their hashes, manifest.json included: an edited
 * manifest that hides a changed file is caught there.
 */
export function verifyPackage(dirArg: string, publicKey?: KeyObject): PackageVerification {
  const dir = path.resolve(dirArg);
  const manifestFile = path.join(dir, MANIFEST_FILE);
  if (!existsSync(manifestFile)) throw new InputError(`${dirArg}: no manifest.json (not an evidence package)`);
  let manifest: z.infer<typeof Manifest>;
  try {
    manifest = Manifest.parse(JSON.parse(readFileSync(manifestFile, "utf8")));
  } catch (error) {
    throw new InputError(`${manifestFile}: not a valid manifest (${(error as Error).message.split("\n")[0]})`);
  }
  const listed = new Map(manifest.outputs.map((o) => [o.path, o.sha256]));
  const all = listFiles(dir);
  const present = new Set(all.filter((f) => f !== MANIFEST_FILE && f !== SIGNATURE_FILE));
  const hashes = new Map<string, string>();
  const hashOf = (f: string) => hashes.get(f) ?? hashes.set(f, sha256File(path.join(dir, f))).get(f)!;
  const changed = new Set<string>();
  const missing = new Set<string>();
  for (const [file, sha] of listed) {
    if (!present.has(file)) missing.add(file);
    else if (hashOf(file) !== sha) changed.add(file);
  }
  const added = new Set([...present].filter((f) => !listed.has(f)));

  const signature: SignatureResult = { present: all.includes(SIGNATURE_FILE), checked: false, valid: false, keyids: [] };
  if (signature.present) {
    try {
      const envelope = Envelope.parse(JSON.parse(readFileSync(path.join(dir, SIGNATURE_FILE), "utf8"))) as DsseEnvelope;
      signature.keyids = envelope.signatures.map((s) => s.keyid);
      if (publicKey) {
        signature.checked = true;
        const check = verifyEnvelope(envelope, publicKey);
        if (!check.valid) signature.problem = check.reason;
        else {
          signature.valid = true;
          const signed = new Map(check.statement.subject.map((s) => [s.name, s.digest.sha256]));
          for (const [file, sha] of signed) {
            if (file !== MANIFEST_FILE && !present.has(file)) missing.add(file);
            else if ((file === MANIFEST_FILE || present.has(file)) && hashOf(file) !== sha) changed.add(file);
          }
          for (const f of [...present, MANIFEST_FILE]) if (!signed.has(f)) added.add(f);
        }
      }
    } catch (error) {
      signature.problem = `${SIGNATURE_FILE} is not a DSSE envelope (${(error as Error).message.split("\n")[0]})`;
    }
  } else if (publicKey) {
    signature.checked = true;
    signature.problem = `the package is not signed (no ${SIGNATURE_FILE})`;
  }
  const sorted = (s: Set<string>) => [...s].sort();
  const result = { files: listed.size, changed: sorted(changed), missing: sorted(missing), added: sorted(added), signature };
  const signatureOk = !signature.checked || signature.valid;
  return { intact: result.changed.length + result.missing.length + result.added.length === 0 && signatureOk && !signature.problem, ...result };
}
