import { createHash, generateKeyPairSync, randomUUID, sign, type KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";

// Builds real CloudTrail integrity artefacts on disk for tests: gzipped log files, a chain of
// hourly digests with real SHA-256 links, RSA signatures per the documented string-to-sign, and
// Lake result sets. Written from the AWS documentation independently of src/, so a shared
// misreading of the format cannot make both sides agree.

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  fingerprint: string;
}

export function makeSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const der = publicKey.export({ type: "pkcs1", format: "der" });
  return { privateKey, publicKey, fingerprint: createHash("md5").update(der).digest("hex") };
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
const rsaSign = (key: KeyObject, text: string): string => sign("sha256", Buffer.from(text), key).toString("hex");
const isoSeconds = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
// 2026-10-14T09:05:00Z -> 20261014T0905Z (logs) or 20261014T090500Z (digests)
const compact = (ms: number, digits: number): string =>
  `${new Date(ms).toISOString().replace(/[-:]/g, "").slice(0, 9 + digits)}Z`;
const ymd = (ms: number): string => new Date(ms).toISOString().slice(0, 10).replace(/-/g, "/");

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

const HOUR = 3_600_000;

export function buildTrail(root: string, spec: TrailSpec, key: SigningKey): BuiltTrail {
  const account = spec.account ?? "111122223333";
  const region = spec.region ?? "eu-west-1";
  const trail = spec.trail ?? "org_audit-trail";
  const home = spec.homeRegion ?? "us-east-1";
  const bucket = spec.bucket ?? "acme-cloudtrail";
  const prefix = spec.s3Prefix ? `${spec.s3Prefix}/` : "";
  const localDir = join(root, spec.localDir ?? bucket);
  const localPath = (s3Key: string): string =>
    spec.flat ? join(localDir, s3Key.split("/").at(-1) ?? s3Key) : join(localDir, s3Key);

  const built: BuiltTrail = { digests: [], signatures: [], logsByHour: [], logs: [] };
  let previous: { key: string; sha256: string; signature: string } | null = null;
  spec.logsPerHour.forEach((count, hour) => {
    const startMs = Date.parse(spec.start) + hour * HOUR;
    const endMs = startMs + HOUR;
    const logFiles = Array.from({ length: count }, (_, i) => {
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
      return { key, sha256: sha256(text), eventTime, path: localPath(key) };
    });

    const digestKey = `${prefix}AWSLogs/${account}/CloudTrail-Digest/${region}/${ymd(endMs)}/${account}_CloudTrail-Digest_${region}_${trail}_${home}_${compact(endMs, 6)}.json.gz`;
    const digest = {
      awsAccountId: account,
      digestStartTime: isoSeconds(startMs),
      digestEndTime: isoSeconds(endMs),
      digestS3Bucket: bucket,
      digestS3Object: digestKey,
      digestPublicKeyFingerprint: key.fingerprint,
      digestSignatureAlgorithm: "SHA256withRSA",
      newestEventTime: logFiles.at(-1)?.eventTime ?? null,
      oldestEventTime: logFiles[0]?.eventTime ?? null,
      previousDigestS3Bucket: previous ? bucket : null,
      previousDigestS3Object: previous?.key ?? null,
      previousDigestHashValue: previous?.sha256 ?? null,
      previousDigestHashAlgorithm: previous ? "SHA-256" : null,
      previousDigestSignature: previous?.signature ?? null,
      logFiles: logFiles.map((l) => ({
        s3Bucket: bucket,
        s3Object: l.key,
        hashValue: l.sha256,
        hashAlgorithm: "SHA-256",
        newestEventTime: l.eventTime,
        oldestEventTime: l.eventTime,
      })),
    };
    const text = JSON.stringify(digest);
    const digestSha = sha256(text);
    // Per AWS's custom-validation page: end time, bucket/key, hex SHA-256, previous signature or "null".
    const toSign = [digest.digestEndTime, `${bucket}/${digestKey}`, digestSha, previous?.signature ?? "null"].join("\n");
    const signature = rsaSign(key.privateKey, toSign);
    writeGzip(localPath(digestKey), text);

    built.digests.push(localPath(digestKey));
    built.signatures.push(signature);
    built.logsByHour.push(logFiles.map((l) => l.path));
    built.logs.push(...logFiles.map((l) => l.path));
    previous = { key: digestKey, sha256: digestSha, signature };
  });
  return built;
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
