import { createHash, createPublicKey, verify, type KeyObject } from "node:crypto";
import { posix } from "node:path";
import fileNames from "./digest-file-names.json" with { type: "json" };
import { DigestFile, LakeSignFile, PublicKeyList } from "./digest-schema.ts";

// Offline CloudTrail integrity validation, after aws-cli `validation.py` (trail digests) and
// `verifyqueryresults.py` (Lake results), over data already read from disk: no I/O here.

export type SignatureStatus = "valid" | "invalid" | "no-key" | "not-available";

export interface AlteredFile {
  file: string;
  expected: string;
  actual: string;
}

export interface TrailCoverage {
  account: string;
  region: string;
  trail: string;
  homeRegion: string;
  /** digestStartTime of the oldest digest and digestEndTime of the newest, as written in the files. */
  from: string;
  to: string;
  digests: number;
}

export interface LakeVerification {
  signFile: string;
  files: number;
  verified: number;
  altered: AlteredFile[];
  missing: string[];
  unlisted: string[];
  signature: { status: SignatureStatus; detail: string };
  /** Why the sign file itself could not be used, or null. */
  invalid: string | null;
  ok: boolean;
}

export interface DigestVerification {
  digests: number;
  logFilesListed: number;
  logFilesVerified: number;
  /** Log files whose uncompressed SHA-256 differs from the digest's `hashValue`. */
  altered: AlteredFile[];
  /** `s3://bucket/key` of log files a digest lists but that are not in the folder. */
  listedButMissing: string[];
  /**
   * Log files that a digest should have listed and none does: their account, region (and
   * organisation) has a digest chain whose period includes the file's delivery time.
   */
  presentButUnlisted: string[];
  /** Log files no digest in the folder covers (another account or region, or outside the digests' period): unverifiable here. */
  notCovered: { file: string; reason: string }[];
  chainBreaks: { digest: string; reason: string }[];
  /** Periods between two digests of one trail and region that no digest covers. */
  missingHours: { trail: string; region: string; from: string; to: string }[];
  signatures: { digest: string; status: SignatureStatus; detail: string }[];
  coverage: TrailCoverage[];
  /** Files that could not be decompressed or read (corrupt, or over the size cap). */
  unreadable: { file: string; reason: string }[];
  lake: LakeVerification[];
  /** True when nothing is altered, missing, unlisted, unreadable, broken or invalidly signed. */
  ok: boolean;
}

/** A file hashed by the caller, or the reason it could not be. Paths are relative to the root. */
export type HashedFile = { file: string; sha256: string } | { file: string; unreadable: string };

/** A digest file, already gunzipped; `signature` is hex from S3 metadata when the user kept it. */
export type DigestRead =
  | { file: string; content: Buffer; signature?: string | undefined }
  | { file: string; unreadable: string };

/** A Lake `result_sign.json` and the result files found beside it. */
export interface LakeRead {
  file: string;
  content: Buffer;
  results: HashedFile[];
}

export interface IntegrityInput {
  digests: DigestRead[];
  logs: HashedFile[];
  lake: LakeRead[];
}

/** Public keys by fingerprint, from `aws cloudtrail list-public-keys` output. */
export type PublicKeyRing = Map<string, KeyObject>;

/** Digests of one trail are a chain per (account, source region, trail, home region). */
interface Stream {
  account: string;
  region: string;
  trail: string;
  homeRegion: string;
}

interface ParsedDigest {
  file: string;
  /** Organisation id from the digest's key (organisation trails), or "". */
  org: string;
  key: string;
  data: DigestFile;
  sha256: string;
  start: number;
  end: number;
  stream: Stream;
  signature: string | undefined;
}

/**
 * AWS does not document that a digest starts exactly where its predecessor ended; they do in
 * every sample we have seen, so allow a minute of slack before calling it a missing period.
 */
const GAP_TOLERANCE_MS = 60_000;
const DIGEST_NAME = new RegExp(fileNames.digestFile);
const LOG_NAME = new RegExp(fileNames.logFileParts);
const ORG_ID = new RegExp(fileNames.orgId);
/**
 * A log file's name carries the minute it was written; it is listed by the digest of the hour it
 * was delivered in, and delivery is "about every 5 minutes ... not guaranteed" (CloudTrail User
 * Guide, "How CloudTrail works"), older pages said 15: a file named within this margin of the newest
 * digest's end may belong to the next digest, not yet written.
 */
const DELIVERY_MARGIN_MS = 15 * 60_000;

/** The organisation folder after `AWSLogs/` in a key (`AWSLogs/o-abc.../<account>/...`), or "". */
function orgOf(key: string): string {
  const parts = storageKey(key).split("/");
  return parts[0] === "AWSLogs" && parts[1] && ORG_ID.test(parts[1]) ? parts[1] : "";
}

/** Account, region, organisation and delivery time of a log file, from its key and name; null when the name is not AWS's. */
export function logScope(file: string): { org: string; account: string; region: string; time: number } | null {
  const m = LOG_NAME.exec(posix.basename(file.replaceAll("\\", "/")));
  if (!m) return null;
  const t = m[3]!;
  const time = Date.parse(`${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(9, 11)}:${t.slice(11, 13)}:00Z`);
  return Number.isNaN(time) ? null : { org: orgOf(file), account: m[1]!, region: m[2]!, time };
}

const scopeId = (org: string, account: string, region: string) => `${org}\u0000${account}\u0000${region}`;

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * The part of a local path or S3 key that survives copying a bucket to disk: from the last
 * `AWSLogs` folder on (S3 prefixes and local roots differ), else the base name.
 */
export function storageKey(path: string): string {
  const parts = path.replaceAll("\\", "/").split("/");
  const at = parts.lastIndexOf("AWSLogs");
  return at >= 0 ? parts.slice(at).join("/") : (parts.at(-1) ?? path);
}

/** The string CloudTrail signs for a digest (aws-cli `_create_string_to_sign`). */
export function digestStringToSign(data: DigestFile, uncompressedSha256: string): string {
  // aws-cli: "The value must be 'null' to match the Java implementation."
  const previous = data.previousDigestSignature ?? "null";
  return `${data.digestEndTime}\n${data.digestS3Bucket}/${data.digestS3Object}\n${uncompressedSha256}\n${previous}`;
}

/** Builds the key ring; throws with the offending fingerprint when a key cannot be loaded. */
export function parsePublicKeys(json: unknown): PublicKeyRing {
  const list = PublicKeyList.parse(json);
  const ring: PublicKeyRing = new Map();
  for (const entry of list.PublicKeyList) {
    const der = Buffer.from(entry.Value, "base64");
    ring.set(entry.Fingerprint, loadRsaKey(der, entry.Fingerprint));
  }
  return ring;
}

function loadRsaKey(der: Buffer, fingerprint: string): KeyObject {
  // CloudTrail hands out PKCS#1 RSAPublicKey DER; accept SubjectPublicKeyInfo too, as
  // aws-cli's `load_der_public_key` does for Lake.
  for (const type of ["pkcs1", "spki"] as const) {
    try {
      return createPublicKey({ key: der, format: "der", type });
    } catch {
      // try the next encoding
    }
  }
  throw new Error(`public key ${fingerprint} is not DER PKCS#1 or SPKI`);
}

function rsaSha256Valid(key: KeyObject, message: string, signatureHex: string): boolean {
  if (!/^(?:[0-9a-f]{2})+$/i.test(signatureHex)) return false;
  try {
    return verify("sha256", Buffer.from(message, "utf8"), key, Buffer.from(signatureHex, "hex"));
  } catch {
    return false;
  }
}

function checkSignature(
  signatureHex: string | undefined,
  source: string,
  fingerprint: string,
  message: () => string,
  keys: PublicKeyRing | undefined,
): { status: SignatureStatus; detail: string } {
  if (!signatureHex) {
    return {
      status: "not-available",
      detail:
        "newest digest of its chain: its signature is only in the S3 object metadata (x-amz-meta-signature); save it beside the digest as <file>.sig to check it",
    };
  }
  if (!keys) return { status: "no-key", detail: "no list-public-keys output supplied" };
  const key = keys.get(fingerprint);
  if (!key) return { status: "no-key", detail: `no public key with fingerprint ${fingerprint}` };
  return rsaSha256Valid(key, message(), signatureHex)
    ? { status: "valid", detail: `signature from ${source}` }
    : { status: "invalid", detail: `signature from ${source} does not verify with key ${fingerprint}` };
}

type ParseResult = { digest: ParsedDigest } | { invalid: string };

function parseDigest(read: { file: string; content: Buffer; signature?: string | undefined }): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(read.content.toString("utf8"));
  } catch {
    return { invalid: "invalid format: not JSON" };
  }
  const parsed = DigestFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { invalid: `invalid format: ${issue ? `${issue.path.join(".")}: ${issue.message}` : "schema"}` };
  }
  const data = parsed.data;
  const name = DIGEST_NAME.exec(posix.basename(data.digestS3Object));
  const start = Date.parse(data.digestStartTime);
  const end = Date.parse(data.digestEndTime);
  if (!name || Number.isNaN(start) || Number.isNaN(end)) {
    return { invalid: "invalid format: digestS3Object is not a digest key or times do not parse" };
  }
  const [, account = "", region = "", trail = "", homeRegion = ""] = name;
  return {
    digest: {
      file: read.file,
      org: orgOf(data.digestS3Object),
      key: storageKey(data.digestS3Object),
      data,
      sha256: sha256Hex(read.content),
      start,
      end,
      stream: { account, region, trail, homeRegion },
      signature: read.signature,
    },
  };
}

/** aws-cli rejects a digest that "has been moved from its original location"; so do we. */
function movedReason(d: ParsedDigest): string | null {
  const local = storageKey(d.file);
  const same = local.includes("/") ? local === d.key : local === posix.basename(d.key);
  return same ? null : `names itself ${d.data.digestS3Object} but is stored at ${d.file}: moved or copied over another digest`;
}

interface Indexed {
  byKey: Map<string, ParsedDigest>;
  /** Storage key of digests present but unusable, with the reason. */
  broken: Map<string, string>;
  breaks: { digest: string; reason: string }[];
  unreadable: { file: string; reason: string }[];
}

function indexDigests(reads: DigestRead[]): Indexed {
  const out: Indexed = { byKey: new Map(), broken: new Map(), breaks: [], unreadable: [] };
  for (const read of reads) {
    if ("unreadable" in read) {
      out.unreadable.push({ file: read.file, reason: read.unreadable });
      out.broken.set(storageKey(read.file), read.unreadable);
      continue;
    }
    const result = parseDigest(read);
    if ("invalid" in result) {
      out.breaks.push({ digest: read.file, reason: result.invalid });
      out.broken.set(storageKey(read.file), result.invalid);
      continue;
    }
    const d = result.digest;
    const moved = movedReason(d);
    if (moved) out.breaks.push({ digest: d.file, reason: moved });
    const twin = out.byKey.get(d.key);
    if (twin) {
      out.breaks.push({ digest: d.file, reason: `claims the same key as ${twin.file}` });
      continue;
    }
    out.byKey.set(d.key, d);
  }
  return out;
}

interface ChainResult {
  breaks: { digest: string; reason: string }[];
  missingHours: DigestVerification["missingHours"];
  /** Digest key → the later digest that links to it (and so carries its signature). */
  successor: Map<string, ParsedDigest>;
  coverage: TrailCoverage[];
}

function streamsOf(digests: Iterable<ParsedDigest>): ParsedDigest[][] {
  const streams = new Map<string, ParsedDigest[]>();
  for (const d of digests) {
    const id = [d.stream.account, d.stream.region, d.stream.trail, d.stream.homeRegion].join("\u0000");
    const list = streams.get(id) ?? [];
    list.push(d);
    streams.set(id, list);
  }
  const lists = [...streams.values()];
  for (const list of lists) list.sort((a, b) => a.end - b.end || a.key.localeCompare(b.key));
  return lists;
}

function walkChains(index: Indexed): ChainResult {
  const out: ChainResult = { breaks: [], missingHours: [], successor: new Map(), coverage: [] };
  const gap = (from: ParsedDigest, to: ParsedDigest): void => {
    if (to.start - from.end > GAP_TOLERANCE_MS) {
      out.missingHours.push({
        trail: to.stream.trail,
        region: to.stream.region,
        from: from.data.digestEndTime,
        to: to.data.digestStartTime,
      });
    }
  };
  for (const list of streamsOf(index.byKey.values())) {
    const first = list[0];
    const last = list.at(-1);
    if (first && last) {
      out.coverage.push({ ...first.stream, from: first.data.digestStartTime, to: last.data.digestEndTime, digests: list.length });
    }
    list.forEach((d, i) => {
      const before = list[i - 1];
      const previousObject = d.data.previousDigestS3Object;
      if (!previousObject) {
        // A new chain: CloudTrail starts one after logging or validation was off.
        if (before) gap(before, d);
        return;
      }
      const previousKey = storageKey(previousObject);
      const previous = index.byKey.get(previousKey);
      if (!previous) {
        const why = index.broken.get(previousKey);
        if (why !== undefined) {
          out.breaks.push({ digest: d.file, reason: `previous digest ${previousKey} cannot be checked: ${why}` });
        } else if (before) {
          out.breaks.push({ digest: d.file, reason: `previous digest ${previousKey} is missing` });
        }
        // With no earlier digest here, the predecessor lies before the folder's range (see coverage).
        if (before) gap(before, d);
        return;
      }
      const at = list.indexOf(previous);
      if (at < 0 || at >= i) {
        out.breaks.push({ digest: d.file, reason: `links to ${previous.file}, which is not an earlier digest of this trail` });
        return;
      }
      out.successor.set(previous.key, d);
      if (previous.sha256 !== d.data.previousDigestHashValue) {
        out.breaks.push({
          digest: d.file,
          reason: `previous digest ${previous.file} was altered: SHA-256 ${previous.sha256}, previousDigestHashValue ${d.data.previousDigestHashValue ?? "null"}`,
        });
      }
      for (const skipped of list.slice(at + 1, i)) {
        out.breaks.push({ digest: skipped.file, reason: `not in the chain: ${d.file} links to ${previous.file}` });
      }
      gap(previous, d);
    });
  }
  return out;
}

interface LogResult {
  listed: number;
  verified: number;
  altered: AlteredFile[];
  listedButMissing: string[];
  presentButUnlisted: string[];
  notCovered: { file: string; reason: string }[];
}

/** Each (organisation, account, region)'s period: from its oldest digest's start to its newest's end. */
function digestPeriods(digests: Iterable<ParsedDigest>): Map<string, { start: number; end: number }> {
  const periods = new Map<string, { start: number; end: number }>();
  for (const d of digests) {
    const id = scopeId(d.org, d.stream.account, d.stream.region);
    const p = periods.get(id);
    periods.set(id, p ? { start: Math.min(p.start, d.start), end: Math.max(p.end, d.end) } : { start: d.start, end: d.end });
  }
  return periods;
}

/** Null when a digest should have listed the file; otherwise why none covers it. */
function whyNotCovered(file: string, periods: Map<string, { start: number; end: number }>): string | null {
  const scope = logScope(file);
  if (!scope) return "the file name is not a CloudTrail log file name, so its account, region and time are unknown";
  const where = `account ${scope.account}, region ${scope.region}${scope.org ? `, organisation ${scope.org}` : ""}`;
  const p = periods.get(scopeId(scope.org, scope.account, scope.region));
  if (!p) return `no digest in the folder is for ${where}`;
  const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");
  if (scope.time < p.start) return `delivered before the oldest digest for ${where} (${iso(p.start)})`;
  if (scope.time + DELIVERY_MARGIN_MS > p.end) return `delivered at or after the end of the newest digest for ${where} (${iso(p.end)}), or within ${DELIVERY_MARGIN_MS / 60_000} minutes of it`;
  return null;
}

function checkLogs(digests: ParsedDigest[], logs: HashedFile[]): LogResult {
  const byKey = new Map<string, HashedFile>();
  const byName = new Map<string, HashedFile[]>();
  for (const log of logs) {
    byKey.set(storageKey(log.file), log);
    const name = posix.basename(log.file);
    byName.set(name, [...(byName.get(name) ?? []), log]);
  }
  // Exact storage key first; a base name only when it is unambiguous (a flat local folder).
  const find = (s3Object: string): HashedFile | undefined => {
    const exact = byKey.get(storageKey(s3Object));
    if (exact) return exact;
    const same = byName.get(posix.basename(s3Object));
    return same?.length === 1 ? same[0] : undefined;
  };
  const out: LogResult = { listed: 0, verified: 0, altered: [], listedButMissing: [], presentButUnlisted: [], notCovered: [] };
  const claimed = new Set<HashedFile>();
  const seen = new Set<string>();
  for (const d of digests) {
    for (const entry of d.data.logFiles) {
      const s3 = `s3://${entry.s3Bucket}/${entry.s3Object}`;
      if (seen.has(s3)) continue;
      seen.add(s3);
      out.listed += 1;
      const log = find(entry.s3Object);
      if (!log) {
        out.listedButMissing.push(s3);
        continue;
      }
      claimed.add(log);
      // Unreadable files are reported as such, neither verified nor altered.
      if (!("sha256" in log)) continue;
      if (log.sha256 === entry.hashValue.toLowerCase()) out.verified += 1;
      else out.altered.push({ file: log.file, expected: entry.hashValue, actual: log.sha256 });
    }
  }
  const periods = digestPeriods(digests);
  for (const log of logs) {
    if (claimed.has(log)) continue;
    const reason = whyNotCovered(log.file, periods);
    if (reason === null) out.presentButUnlisted.push(log.file);
    else out.notCovered.push({ file: log.file, reason });
  }
  return out;
}

/** Lake: hashes cover the compressed result files; the signed string is the hashes joined by spaces. */
export function verifyLakeResult(read: LakeRead, keys?: PublicKeyRing): LakeVerification {
  const out: LakeVerification = {
    signFile: read.file,
    files: 0,
    verified: 0,
    altered: [],
    missing: [],
    unlisted: [],
    signature: { status: "not-available", detail: "sign file unusable" },
    invalid: null,
    ok: false,
  };
  let sign: LakeSignFile;
  try {
    sign = LakeSignFile.parse(JSON.parse(read.content.toString("utf8")));
  } catch {
    return { ...out, invalid: "invalid format: not a result_sign.json" };
  }
  // aws-cli: "No export file was found in sign file."
  if (sign.files.length === 0) return { ...out, invalid: "lists no result files" };
  const byName = new Map(read.results.map((r) => [posix.basename(r.file), r]));
  const listed = new Set<string>();
  for (const entry of sign.files) {
    out.files += 1;
    const name = posix.basename(entry.fileName);
    listed.add(name);
    const result = byName.get(name);
    if (!result) out.missing.push(entry.fileName);
    else if (!("sha256" in result)) continue;
    else if (result.sha256 === entry.fileHashValue.toLowerCase()) out.verified += 1;
    else out.altered.push({ file: result.file, expected: entry.fileHashValue, actual: result.sha256 });
  }
  out.unlisted = read.results.filter((r) => !listed.has(posix.basename(r.file))).map((r) => r.file);
  out.signature = checkSignature(
    sign.hashSignature,
    read.file,
    sign.publicKeyFingerprint,
    () => sign.files.map((f) => f.fileHashValue).join(" "),
    keys,
  );
  out.ok =
    out.altered.length === 0 &&
    out.missing.length === 0 &&
    out.unlisted.length === 0 &&
    out.signature.status !== "invalid";
  return out;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Verifies trail digests, their chain, the log files they list, and any Lake result sets. */
export function verifyIntegrity(input: IntegrityInput, keys?: PublicKeyRing): DigestVerification {
  const index = indexDigests(input.digests);
  const chain = walkChains(index);
  const logs = checkLogs([...index.byKey.values()], input.logs);
  const signatures = [...index.byKey.values()].map((d) => {
    const successor = chain.successor.get(d.key);
    const source = d.signature ? `${d.file} metadata` : `previousDigestSignature of ${successor?.file ?? "?"}`;
    const { status, detail } = checkSignature(
      d.signature ?? successor?.data.previousDigestSignature ?? undefined,
      source,
      d.data.digestPublicKeyFingerprint,
      () => digestStringToSign(d.data, d.sha256),
      keys,
    );
    if (status !== "valid" && d.data.digestSignatureAlgorithm !== "SHA256withRSA") {
      return { digest: d.file, status, detail: `${detail} (algorithm ${d.data.digestSignatureAlgorithm} is not supported)` };
    }
    return { digest: d.file, status, detail };
  });
  const lake = input.lake.map((l) => verifyLakeResult(l, keys));
  const unreadable = [
    ...index.unreadable,
    ...[...input.logs, ...input.lake.flatMap((l) => l.results)].flatMap((f) =>
      "unreadable" in f ? [{ file: f.file, reason: f.unreadable }] : [],
    ),
  ];
  const chainBreaks = [...index.breaks, ...chain.breaks];
  const result: DigestVerification = {
    digests: index.byKey.size,
    logFilesListed: logs.listed,
    logFilesVerified: logs.verified,
    altered: logs.altered.sort((a, b) => byText(a.file, b.file)),
    listedButMissing: logs.listedButMissing.sort(byText),
    presentButUnlisted: logs.presentButUnlisted.sort(byText),
    notCovered: logs.notCovered.sort((a, b) => byText(a.file, b.file)),
    chainBreaks: chainBreaks.sort((a, b) => byText(a.digest, b.digest) || byText(a.reason, b.reason)),
    missingHours: chain.missingHours.sort(
      (a, b) => byText(a.trail, b.trail) || byText(a.region, b.region) || byText(a.from, b.from),
    ),
    signatures: signatures.sort((a, b) => byText(a.digest, b.digest)),
    coverage: chain.coverage.sort(
      (a, b) => byText(a.account, b.account) || byText(a.trail, b.trail) || byText(a.region, b.region),
    ),
    unreadable: unreadable.sort((a, b) => byText(a.file, b.file)),
    lake: lake.sort((a, b) => byText(a.signFile, b.signFile)),
    ok: false,
  };
  result.ok =
    result.altered.length === 0 &&
    result.listedButMissing.length === 0 &&
    result.presentButUnlisted.length === 0 &&
    result.notCovered.length === 0 &&
    result.chainBreaks.length === 0 &&
    result.missingHours.length === 0 &&
    result.unreadable.length === 0 &&
    result.signatures.every((s) => s.status !== "invalid") &&
    result.lake.every((l) => l.ok);
  return result;
}
