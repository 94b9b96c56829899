import { createHash, type KeyObject } from "node:crypto";
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { InputError } from "../errors.ts";
import { SIGNATURE_FILE, verifyEnvelope, type DsseEnvelope } from "./signature.ts";

export const MANIFEST_FILE = "manifest.json";

/** A path inside the package as the manifest writes it: relative, `/`-separated, never leaving the folder. */
const PackagePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.includes("\\") && !/^[A-Za-z]:/.test(p) && p.split("/").every((s) => s !== "" && s !== "." && s !== ".."), {
    message: "not a relative path inside the package",
  });
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, "not a SHA-256 in hex");
const FileEntry = z.object({ path: PackagePath, sha256: Sha256, size: z.number().int().nonnegative().optional() });

/**
 * manifest.json as `build` writes it (src/report/index.ts). Used both to verify a package and to
 * decide that an existing --out folder is an earlier package of ours that may be replaced, so a
 * folder with some other tool's manifest.json (a browser extension's, say) never parses.
 * Unknown keys are allowed: a later version may add fields.
 */
export const PackageManifest = z.object({
  tool: z.literal("evidence"),
  toolVersion: z.string(),
  buildId: z.string(),
  period: z.string(),
  generatedAt: z.string(),
  configSha256: Sha256,
  /** The workspace that wrote the package: its config file's path relative to the package folder. */
  workspace: z.string().optional(),
  inputs: z.array(z.object({ path: z.string(), sha256: Sha256, size: z.number().optional() })),
  outputs: z.array(FileEntry),
});
export type PackageManifest = z.infer<typeof PackageManifest>;

const Envelope = z.object({
  payload: z.string(),
  payloadType: z.string(),
  signatures: z.array(z.object({ keyid: z.string().default(""), sig: z.string() })),
});

/** An entry that is neither a regular file nor a folder: a symbolic link, a FIFO, a socket, a device. */
export interface OddEntry {
  path: string;
  kind: string;
}

function kindOf(stats: { isSymbolicLink(): boolean; isFIFO(): boolean; isSocket(): boolean; isBlockDevice(): boolean; isCharacterDevice(): boolean }): string {
  if (stats.isSymbolicLink()) return "a symbolic link";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isSocket()) return "a socket";
  if (stats.isBlockDevice() || stats.isCharacterDevice()) return "a device";
  return "not a regular file";
}

/**
 * Everything under `dir` without following symbolic links, relative with `/` separators, sorted:
 * regular files, folders, and anything else. A package holds regular files only; a link (a loop
 * among them) or a FIFO in it is reported, never followed or opened, which would loop or block.
 */
export function walkPackage(dir: string): { files: string[]; dirs: string[]; odd: OddEntry[] } {
  const result = { files: [] as string[], dirs: [] as string[], odd: [] as OddEntry[] };
  const walk = (abs: string, prefix: string) => {
    for (const entry of readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const rel = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        result.dirs.push(rel);
        walk(path.join(abs, entry.name), `${rel}/`);
      } else if (entry.isFile()) result.files.push(rel);
      else result.odd.push({ path: rel, kind: kindOf(entry) });
    }
  };
  walk(dir, "");
  return result;
}

/** Every regular file under `dir`, relative, with `/` separators, sorted. */
export function listFiles(dir: string): string[] {
  return walkPackage(dir).files;
}

/** Thrown by sha256File when the path is not a regular file when opened. */
export class NotRegularFile extends Error {}

/**
 * Read in 1 MiB chunks: a month's population CSV is hundreds of megabytes, and holding it whole only
 * to hash it costs that much memory. Opened without following a link and without blocking, then
 * checked to be a regular file: a FIFO swapped in after the folder was listed must not hang a reader.
 */
export function sha256File(file: string): string {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(1 << 20);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOOP") throw new NotRegularFile(`${file}: a symbolic link, not a regular file`);
    throw error;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new NotRegularFile(`${file}: ${kindOf(stats)}, not a regular file`);
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/** A small file of the package read as text, refusing anything but a regular file (see sha256File). */
function readRegularText(file: string, limit = 64 << 20): string {
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new NotRegularFile(`${kindOf(stats)}, not a regular file`);
    if (stats.size > limit) throw new Error(`${stats.size} bytes, more than a manifest can be`);
    const buffer = Buffer.alloc(stats.size);
    let read = 0;
    for (let n = 1; read < stats.size && n > 0; read += n) n = readSync(fd, buffer, read, stats.size - read, read);
    return buffer.subarray(0, read).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Reads and parses `<dir>/manifest.json` with our schema; the error names the file and the first problem. */
export function readManifest(dir: string): PackageManifest {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readRegularText(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ELOOP" ? "a symbolic link, not a regular file" : code === "ENOENT" ? "not found" : (error as Error).message.split("\n")[0];
    throw new InputError(`${file}: cannot read the manifest (${why})`, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InputError(`${file}: not JSON (${(error as Error).message.split("\n")[0]})`, file);
  }
  const parsed = PackageManifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(`${file}: not an evidence manifest (${issue.path.join(".") || "top level"}: ${issue.message})`, file);
  }
  return parsed.data;
}

export interface SignatureResult {
  present: boolean;
  /** Whether a public key was given and the signature checked against it. */
  checked: boolean;
  /** Checked, and a signature verifies with the given key over our statement. */
  valid: boolean;
  /** The given key's id, when the signature verified with it; never taken from the envelope. */
  signer: string | null;
  /** The key ids the envelope names. Anyone can write these: without a key they prove nothing. */
  claimedKeyids: string[];
  problem?: string;
}

export interface PackageVerification {
  /** The files match the manifest (and the signed statement, when checked) and the signature, if checked, verifies. */
  intact: boolean;
  /** No changed, missing, added or non-regular files. */
  filesMatch: boolean;
  files: number;
  changed: string[];
  missing: string[];
  added: string[];
  /** Entries that are not regular files (links, FIFOs, sockets): never followed or read. */
  notRegular: OddEntry[];
  signature: SignatureResult;
}

/**
 * Re-hashes every file the manifest lists and reports changed, missing and added files. When the
 * package is signed and a public key is given, the signature must verify and the signed statement
 * must name exactly the files present with their hashes, manifest.json included: an edited
 * manifest that hides a changed file is caught there. Without a key only internal consistency is
 * checked, which anyone able to rewrite manifest.json can restore.
 */
export function verifyPackage(dirArg: string, publicKey?: KeyObject): PackageVerification {
  const dir = path.resolve(dirArg);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`${dirArg}: not a folder`);
  if (!existsSync(path.join(dir, MANIFEST_FILE)) && !lstatExists(path.join(dir, MANIFEST_FILE))) {
    throw new InputError(`${dirArg}: no manifest.json (not an evidence package)`);
  }
  const manifest = readManifest(dir);
  const listed = new Map(manifest.outputs.map((o) => [o.path, o.sha256]));
  const tree = walkPackage(dir);
  const notRegular = tree.odd.filter((o) => o.path !== MANIFEST_FILE);
  const odd = new Set(notRegular.map((o) => o.path));
  const present = new Set(tree.files.filter((f) => f !== MANIFEST_FILE && f !== SIGNATURE_FILE));
  const hashes = new Map<string, string>();
  const hashOf = (f: string): string => {
    const known = hashes.get(f);
    if (known !== undefined) return known;
    let sha = "";
    try {
      sha = sha256File(path.join(dir, f));
    } catch (error) {
      // Swapped for a link or FIFO after the folder was listed.
      if (!(error instanceof NotRegularFile)) throw error;
      notRegular.push({ path: f, kind: "not a regular file when opened" });
    }
    hashes.set(f, sha);
    return sha;
  };
  const changed = new Set<string>();
  const missing = new Set<string>();
  for (const [file, sha] of listed) {
    if (odd.has(file)) continue;
    if (!present.has(file)) missing.add(file);
    else if (hashOf(file) !== sha) changed.add(file);
  }
  const added = new Set([...present].filter((f) => !listed.has(f)));

  const signature: SignatureResult = { present: tree.files.includes(SIGNATURE_FILE) || odd.has(SIGNATURE_FILE), checked: false, valid: false, signer: null, claimedKeyids: [] };
  if (odd.has(SIGNATURE_FILE)) {
    signature.checked = publicKey !== undefined;
    signature.problem = `${SIGNATURE_FILE} is ${notRegular.find((o) => o.path === SIGNATURE_FILE)!.kind}, not a regular file`;
  } else if (signature.present) {
    try {
      const envelope = Envelope.parse(JSON.parse(readRegularText(path.join(dir, SIGNATURE_FILE)))) as DsseEnvelope;
      signature.claimedKeyids = envelope.signatures.map((s) => s.keyid);
      if (publicKey) {
        signature.checked = true;
        const check = verifyEnvelope(envelope, publicKey);
        if (!check.valid) signature.problem = check.reason;
        else {
          signature.valid = true;
          signature.signer = check.keyid;
          const signed = new Map(check.statement.subject.map((s) => [s.name, s.digest.sha256]));
          for (const [file, sha] of signed) {
            if (odd.has(file)) continue;
            if (file !== MANIFEST_FILE && !present.has(file)) missing.add(file);
            else if (hashOf(file) !== sha) changed.add(file);
          }
          for (const f of [...present, MANIFEST_FILE]) if (!signed.has(f)) added.add(f);
        }
      }
    } catch (error) {
      signature.checked = publicKey !== undefined;
      signature.problem = `${SIGNATURE_FILE} is not a DSSE envelope (${(error as Error).message.split("\n")[0]})`;
    }
  } else if (publicKey) {
    signature.checked = true;
    signature.problem = `the package is not signed (no ${SIGNATURE_FILE})`;
  }
  const sorted = (s: Set<string>) => [...s].sort();
  const result = { files: listed.size, changed: sorted(changed), missing: sorted(missing), added: sorted(added), notRegular, signature };
  const filesMatch = result.changed.length + result.missing.length + result.added.length + notRegular.length === 0;
  const signatureOk = signature.checked ? signature.valid : !signature.problem;
  return { intact: filesMatch && signatureOk, filesMatch, ...result };
}

function lstatExists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
