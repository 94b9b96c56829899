import { createHash, createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";

// Builds real CloudTrail integrity artefacts on disk for tests: gzipped log files, a chain of
// hourly digests with real SHA-256 links, RSA signatures per the documented string-to-sign, and
// Lake result sets. Written from the AWS documentation independently of src/, so a shared
// misreading of the format cannot make both sides agree. The sample workspace's generator
// (samples/acme/scripts/cloudtrail-digests.ts) writes its digests with `digestChain` too.

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  fingerprint: string;
}

/** A signing key around a given private key (the sample workspace signs with a committed one). */
export function signingKey(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: "pkcs1", format: "der" });
  return { privateKey, publicKey, fingerprint: createHash("md5").update(der).digest("hex") };
}

export function makeSigningKey(): SigningKey {
  return signingKey(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);
}

/** `aws cloudtrail list-public-keys` output for these keys, optionally under other fingerprints. */
export function publicKeysJson(keys: { publicKey: KeyObject; fingerprint: string }[]): string {
  return JSON.stringify({
    PublicKeyList: keys.map((k) => ({
      Value: k.publicKey.export({ type: "pkcs1", format: "der" }).toString("base64"),
      ValidityStartTime: "2026-01-01T00:00:00Z",
      ValidityEndTime: "2027-01-01T00:00:00Z",
      Fingerprint: k.fingerprint,
    })),
  });
}

export function writeGzip(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzipSync(Buffer.from(text, "utf8")));
}

export function readGzip(path: string): string {
  return gunzipSync(readFileSync(path)).toString("utf8");
}

const sha256 = (data: Buffer | string): string => createHash("sha256").update(data).digest("hex");
// RSA PKCS#1 v1.5 (Node's default for RSA keys) is deterministic: the same input, the same signature.
const rsaSign = (key: KeyObject, text: string): string => sign("sha256", Buffer.from(text), key).toString("hex");
const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
// 2026-10-14T09:05:00Z -> 20261014T0905Z (logs) or 20261014T090500Z (digests)
const compact = (ms: number, digits: number): string =>
  `${new Date(ms).toISOString().replace(/[-:]/g, "").slice(0, 9 + digits)}Z`;
const ymd = (ms: number): string => new Date(ms).toISOString().slice(0, 10).replace(/-/g, "/");

const HOUR = 3_600_000;

/** One digest chain: CloudTrail keeps one per account, source region, trail and home region. */
export interface DigestStream {
  account: string;
  region: string;
  trail: string;
  homeRegion: string;
  bucket: string;
  /** S3 key prefix in front of AWSLogs/, without the trailing slash; "" for none. */
  s3Prefix: string;
}

/** A log file as a digest lists it: `sha256` is hex SHA-256 of the UNCOMPRESSED log. */
export interface ListedLog {
  s3Object: string;
  sha256: string;
  oldestEventTime: string;
  newestEventTime: string;
}

export interface ChainedDigest {
  /** S3 key of the digest file. */
  key: string;
  /** The digest JSON, uncompressed (stored gzipped). */
  text: string;
  /** Hex signature, which S3 keeps as the object's x-amz-meta-signature. */
  signature: string;
}

/** The S3 key of a stream's digest for the hour ending at `endMs`. */
export function digestKey(stream: DigestStream, endMs: number): string {
  const { account, region, trail, homeRegion } = stream;
  const prefix = stream.s3Prefix ? `${stream.s3Prefix}/` : "";
  return `${prefix}AWSLogs/${account}/CloudTrail-Digest/${region}/${ymd(endMs)}/${account}_CloudTrail-Digest_${region}_${trail}_${homeRegion}_${compact(endMs, 6)}.json.gz`;
}

/**
 * Hourly digests from `start`, one per entry of `hours` (the log files delivered in that hour; a
 * digest is written even when empty). The first starts a chain (null `previous*`); each later one
 * holds the SHA-256 and signature of the one before. No I/O and no randomness.
 */
export function digestChain(stream: DigestStream, start: string, hours: ListedLog[][], key: SigningKey): ChainedDigest[] {
  const { bucket } = stream;
  const out: ChainedDigest[] = [];
  let previous: { key: string; sha256: string; signature: string } | null = null;
  hours.forEach((logFiles, hour) => {
    const startMs = Date.parse(start) + hour * HOUR;
    const endMs = startMs + HOUR;
    const digestS3Object = digestKey(stream, endMs);
    const times = logFiles.flatMap((l) => [l.oldestEventTime, l.newestEventTime]).sort();
    const digest = {
      awsAccountId: stream.account,
      digestStartTime: isoSeconds(startMs),
      digestEndTime: isoSeconds(endMs),
      digestS3Bucket: bucket,
      digestS3Object,
      digestPublicKeyFingerprint: key.fingerprint,
      digestSignatureAlgorithm: "SHA256withRSA",
      newestEventTime: times.at(-1) ?? null,
      oldestEventTime: times[0] ?? null,
      previousDigestS3Bucket: previous ? bucket : null,
      previousDigestS3Object: previous?.key ?? null,
      previousDigestHashValue: previous?.sha256 ?? null,
      previousDigestHashAlgorithm: previous ? "SHA-256" : null,
      previousDigestSignature: previous?.signature ?? null,
      logFiles: logFiles.map((l) => ({
        s3Bucket: bucket,
        s3Object: l.s3Object,
        hashValue: l.sha256,
        hashAlgorithm: "SHA-256",
        newestEventTime: l.newestEventTime,
        oldestEventTime: l.oldestEventTime,
      })),
    };
    const text = JSON.stringify(digest);
    const digestSha = sha256(text);
    // Per AWS's custom-validation page: end time, bucket/key, hex SHA-256, previous signature or "null".
    const toSign = [digest.digestEndTime, `${bucket}/${digestS3Object}`, digestSha, previous?.signature ?? "null"].join("\n");
    const signature = rsaSign(key.privateKey, toSign);
    out.push({ key: digestS3Object, text, signature });
    previous = { key: digestS3Object, sha256: digestSha, signature };
  });
  return out;
}

export interface TrailSpec {
  /** Start of the first digest hour, e.g. "2026-10-14T09:00:00Z". */
  start: string;
  /** Number of log files delivered in each hour; one digest per hour, even when empty. */
  logsPerHour: number[];
  account?: string;
  region?: string;
  trail?: string;
  homeRegion?: string;
  bucket?: string;
  /** S3 key prefix in front of AWSLogs/. */
  s3Prefix?: string;
  /** Local folder (under root) that mirrors the bucket. */
  localDir?: string;
  /** Write every file straight into localDir instead of the S3 layout. */
  flat?: boolean;
}

export interface BuiltTrail {
  /** Absolute paths, oldest first. */
  digests: string[];
  /** Hex signature of each digest, as S3 metadata would hold it. */
  signatures: string[];
  logsByHour: string[][];
  logs: string[];
}

export function buildTrail(root: string, spec: TrailSpec, key: SigningKey): BuiltTrail {
  const stream: DigestStream = {
    account: spec.account ?? "111122223333",
    region: spec.region ?? "eu-west-1",
    trail: spec.trail ?? "org_audit-trail",
    homeRegion: spec.homeRegion ?? "us-east-1",
    bucket: spec.bucket ?? "acme-cloudtrail",
    s3Prefix: spec.s3Prefix ?? "",
  };
  const { account, region } = stream;
  const prefix = stream.s3Prefix ? `${stream.s3Prefix}/` : "";
  const localDir = join(root, spec.localDir ?? stream.bucket);
  const localPath = (s3Key: string): string =>
    spec.flat ? join(localDir, s3Key.split("/").at(-1) ?? s3Key) : join(localDir, s3Key);

  const hours = spec.logsPerHour.map((count, hour) => {
    const startMs = Date.parse(spec.start) + hour * HOUR;
    return Array.from({ length: count }, (_, i) => {
      const delivered = startMs + (i + 1) * 5 * 60_000;
      const key = `${prefix}AWSLogs/${account}/CloudTrail/${region}/${ymd(delivered)}/${account}_CloudTrail_${region}_${compact(delivered, 4)}_${randomUUID().replace(/-/g, "").slice(0, 16)}.json.gz`;
      const eventTime = isoSeconds(delivered - 60_000);
      const text = JSON.stringify({
        Records: [
          {
            eventVersion: "1.11",
            userIdentity: { type: "IAMUser", arn: `arn:aws:iam::${account}:user/dev`, accountId: account },
            eventTime,
            eventSource: "s3.amazonaws.com",
            eventName: "ListBuckets",
            awsRegion: region,
            eventID: randomUUID(),
            eventType: "AwsApiCall",
            eventCategory: "Management",
          },
        ],
      });
      writeGzip(localPath(key), text);
      return { s3Object: key, sha256: sha256(text), oldestEventTime: eventTime, newestEventTime: eventTime, path: localPath(key) };
    });
  });
  const chain = digestChain(stream, spec.start, hours, key);
  for (const d of chain) writeGzip(localPath(d.key), d.text);
  return {
    digests: chain.map((d) => localPath(d.key)),
    signatures: chain.map((d) => d.signature),
    logsByHour: hours.map((logs) => logs.map((l) => l.path)),
    logs: hours.flatMap((logs) => logs.map((l) => l.path)),
  };
}

export interface BuiltLakeResult {
  signFile: string;
  results: string[];
}

/** A Lake query export: result_N.csv.gz plus result_sign.json over the COMPRESSED bytes. */
export function buildLakeResult(dir: string, csvs: string[], key: SigningKey): BuiltLakeResult {
  mkdirSync(dir, { recursive: true });
  const files = csvs.map((csv, i) => {
    const fileName = `result_${i + 1}.csv.gz`;
    const gz = gzipSync(Buffer.from(csv, "utf8"));
    writeFileSync(join(dir, fileName), gz);
    return { fileHashValue: sha256(gz), fileName };
  });
  const signFile = join(dir, "result_sign.json");
  writeFileSync(
    signFile,
    JSON.stringify({
      version: "1.0",
      region: "eu-west-1",
      files,
      hashAlgorithm: "SHA-256",
      signatureAlgorithm: "SHA256withRSA",
      queryCompleteTime: "2026-10-14T10:00:00Z",
      hashSignature: rsaSign(key.privateKey, files.map((f) => f.fileHashValue).join(" ")),
      publicKeyFingerprint: key.fingerprint,
    }),
  );
  return { signFile, results: files.map((f) => join(dir, f.fileName)) };
}
