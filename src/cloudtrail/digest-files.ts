import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, posix, relative, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip, gunzipSync } from "node:zlib";
import { InputError } from "../errors.ts";
import fileNames from "./digest-file-names.json" with { type: "json" };
import {
  parsePublicKeys,
  verifyIntegrity,
  type DigestRead,
  type DigestVerification,
  type HashedFile,
  type LakeRead,
  type PublicKeyRing,
} from "./digest.ts";

// The I/O edge of integrity validation: find digest, log and Lake files under a folder laid out
// as in S3 (or flat), hash them with bounded memory, and hand the results to `verifyIntegrity`.
//
// The newest digest's signature lives only in S3 object metadata. A user who saved it can put
// it beside the digest as `<digest>.sig` (hex) or `<digest>.metadata.json` (the output of
// `aws s3api head-object`, or `{"signature": "…"}`).

export interface VerifyDigestFolderOptions {
  /** `aws cloudtrail list-public-keys` JSON output; without it signatures are reported "no-key". */
  publicKeysFile?: string;
  /**
   * Largest uncompressed size accepted for one file. Anything larger is reported unreadable:
   * a real CloudTrail log is tens of MB at most, so it is a gzip bomb or not a log.
   */
  maxUncompressedBytes?: number;
}

const DEFAULT_MAX_UNCOMPRESSED = 512 * 1024 * 1024;
// Digests are parsed whole; an hour of a busy trail lists a few thousand files (~1 MB).
const MAX_DIGEST_BYTES = 64 * 1024 * 1024;
// A few files in flight keeps the disk and zlib busy without holding much memory.
const CONCURRENCY = 4;

const LOG = new RegExp(fileNames.logFile);
const DIGEST = new RegExp(fileNames.digestFile);
const LAKE_SIGN = new RegExp(fileNames.lakeSignFile);
const LAKE_RESULT = new RegExp(fileNames.lakeResultFile);

export async function verifyDigestFolder(
  root: string,
  opts: VerifyDigestFolderOptions = {},
): Promise<DigestVerification> {
  const cap = opts.maxUncompressedBytes ?? DEFAULT_MAX_UNCOMPRESSED;
  const keys = opts.publicKeysFile ? await readPublicKeys(opts.publicKeysFile) : undefined;
  const files = await listFiles(root);
  const present = new Set(files);
  const named = (re: RegExp) => files.filter((f) => re.test(posix.basename(f)));

  const digests = await mapLimit(named(DIGEST), (f) => readDigest(root, f, present, Math.min(cap, MAX_DIGEST_BYTES)));
  const logs = await mapLimit(named(LOG), (f) => hashFile(root, f, cap));
  const results = await mapLimit(named(LAKE_RESULT), (f) => hashFile(root, f, null));
  const lake: LakeRead[] = await Promise.all(
    named(LAKE_SIGN).map(async (f) => ({
      file: f,
      content: await readFile(join(root, f)),
      results: results.filter((r) => posix.dirname(r.file) === posix.dirname(f)),
    })),
  );
  return verifyIntegrity({ digests, logs, lake }, keys);
}

async function readPublicKeys(file: string): Promise<PublicKeyRing> {
  try {
    return parsePublicKeys(JSON.parse(await readFile(file, "utf8")));
  } catch (err) {
    const why = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new InputError(
      `${file} is not usable \`aws cloudtrail list-public-keys\` output ({"PublicKeyList":[{"Value","Fingerprint",…}]}): ${why}`,
      file,
    );
  }
}

/** Every file under root, as sorted paths relative to root with `/` separators. */
async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

async function readDigest(root: string, file: string, present: Set<string>, cap: number): Promise<DigestRead> {
  const path = join(root, file);
  let content: Buffer;
  try {
    if ((await stat(path)).size > cap) return { file, unreadable: `larger than ${cap} bytes` };
    content = gunzipSync(await readFile(path), { maxOutputLength: cap });
  } catch (err) {
    return { file, unreadable: describe(err, cap) };
  }
  return { file, content, signature: await readSidecarSignature(root, file, present) };
}

interface HeadObjectOutput {
  Metadata?: { signature?: unknown };
  signature?: unknown;
}

async function readSidecarSignature(root: string, file: string, present: Set<string>): Promise<string | undefined> {
  const [hexSuffix, metadataSuffix] = fileNames.digestSignatureSidecars;
  if (hexSuffix && present.has(file + hexSuffix)) {
    return (await readFile(join(root, file + hexSuffix), "utf8")).trim();
  }
  if (metadataSuffix && present.has(file + metadataSuffix)) {
    const sidecar = join(root, file + metadataSuffix);
    let signature: unknown;
    try {
      const json = JSON.parse(await readFile(sidecar, "utf8")) as HeadObjectOutput | null;
      signature = json?.Metadata?.signature ?? json?.signature;
    } catch {
      // not JSON: reported below
    }
    if (typeof signature === "string") return signature.trim();
    throw new InputError(`${sidecar} is not head-object output with Metadata.signature`, sidecar);
  }
  return undefined;
}

/**
 * SHA-256 of a file streamed from disk: of its gunzipped content when `cap` is a number (trail
 * logs are hashed uncompressed), of its raw bytes when null (Lake hashes the .csv.gz itself).
 */
async function hashFile(root: string, file: string, cap: number | null): Promise<HashedFile> {
  const hash = createHash("sha256");
  let total = 0;
  let overCap = false;
  const sink = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) {
      total += chunk.length;
      // Stop reading at the cap: a gzip bomb must not cost its full expansion in time.
      if (cap !== null && total > cap) {
        overCap = true;
        throw new RangeError("over cap");
      }
      hash.update(chunk);
    }
  };
  try {
    const input = createReadStream(join(root, file));
    await (cap === null ? pipeline(input, sink) : pipeline(input, createGunzip(), sink));
    return { file, sha256: hash.digest("hex") };
  } catch (err) {
    // pipeline() reports a failing sink as a bare AbortError, hence the flag.
    return { file, unreadable: overCap ? `uncompressed size exceeds ${cap} bytes` : describe(err, cap) };
  }
}

function describe(err: unknown, cap: number | null): string {
  const code = (err as { code?: unknown }).code;
  if (code === "ERR_BUFFER_TOO_LARGE") return `uncompressed size exceeds ${cap} bytes`;
  if (code === "Z_DATA_ERROR" || code === "Z_BUF_ERROR") return "not valid gzip";
  return err instanceof Error ? err.message : String(err);
}

async function mapLimit<T, R>(items: T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, items.length) }, worker));
  return out;
}
