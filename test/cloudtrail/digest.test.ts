import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { InputError } from "../../src/errors.ts";
import { verifyDigestFolder } from "../../src/cloudtrail/digest-files.ts";
import { digestStringToSign, storageKey, verifyIntegrity } from "../../src/cloudtrail/digest.ts";
import {
  buildLakeResult,
  buildTrail,
  makeSigningKey,
  publicKeysJson,
  readGzip,
  writeGzip,
  type TrailSpec,
} from "../helpers/cloudtrail-digest-builder.ts";
import { tempDir } from "../helpers/workspace.ts";

const key = makeSigningKey();
const otherKey = makeSigningKey();
// Four hourly digests over six log files; hour three is empty, as CloudTrail still writes it.
const CHAIN: TrailSpec = { start: "2026-10-14T09:00:00Z", logsPerHour: [2, 1, 0, 3], s3Prefix: "team/prod" };
const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

function setup(spec: TrailSpec = CHAIN) {
  const root = tempDir("digest-");
  const trail = buildTrail(root, spec, key);
  const keysFile = join(root, "public-keys.json");
  writeFileSync(keysFile, publicKeysJson([key]));
  return { root, trail, keysFile, rel: (p: string) => relative(root, p).split("\\").join("/") };
}

test("an intact chain verifies every log file and the signatures its successors carry", async () => {
  const { root, trail, keysFile, rel } = setup();
  const result = await verifyDigestFolder(root, { publicKeysFile: keysFile });
  assert.equal(result.ok, true);
  assert.equal(result.digests, 4);
  assert.equal(result.logFilesListed, 6);
  assert.equal(result.logFilesVerified, 6);
  assert.deepEqual(
    [result.altered, result.listedButMissing, result.presentButUnlisted, result.chainBreaks, result.missingHours],
    [[], [], [], [], []],
  );
  assert.deepEqual(result.coverage, [
    {
      account: "111122223333",
      region: "eu-west-1",
      trail: "org_audit-trail",
      homeRegion: "us-east-1",
      from: "2026-10-14T09:00:00Z",
      to: "2026-10-14T13:00:00Z",
      digests: 4,
    },
  ]);
  assert.deepEqual(
    result.signatures.map((s) => [s.digest, s.status]),
    trail.digests.map((d, i) => [rel(d), i < 3 ? "valid" : "not-available"]),
  );
});

test("without public keys the signatures are reported no-key, not failed", async () => {
  const { root } = setup();
  const result = await verifyDigestFolder(root);
  assert.equal(result.ok, true);
  assert.deepEqual(
    result.signatures.map((s) => s.status),
    ["no-key", "no-key", "no-key", "not-available"],
  );
});

test("a log file altered after delivery is reported with both hashes", async () => {
  const { root, trail, rel } = setup();
  const victim = trail.logsByHour[0]?.[1] ?? assert.fail("no log");
  const original = readGzip(victim);
  const forged = original.replace("ListBuckets", "DeleteBucket");
  writeGzip(victim, forged);
  const result = await verifyDigestFolder(root);
  assert.equal(result.ok, false);
  assert.equal(result.logFilesVerified, 5);
  assert.deepEqual(result.altered, [{ file: rel(victim), expected: sha256(original), actual: sha256(forged) }]);
});

test("a log file deleted after delivery is listed but missing, by its S3 address", async () => {
  const { root, trail, rel } = setup();
  const victim = trail.logsByHour[3]?.[0] ?? assert.fail("no log");
  rmSync(victim);
  const result = await verifyDigestFolder(root);
  assert.equal(result.ok, false);
  assert.equal(result.logFilesVerified, 5);
  assert.deepEqual(result.listedButMissing, [`s3://${rel(victim)}`]);
});

test("a digest missing from the middle breaks the chain and leaves a missing hour", async () => {
  const { root, trail, keysFile, rel } = setup();
  rmSync(trail.digests[1] ?? assert.fail("no digest"));
  const result = await verifyDigestFolder(root, { publicKeysFile: keysFile });
  assert.equal(result.ok, false);
  assert.equal(result.digests, 3);
  assert.equal(result.chainBreaks.length, 1);
  assert.equal(result.chainBreaks[0]?.digest, rel(trail.digests[2] ?? ""));
  assert.match(result.chainBreaks[0]?.reason ?? "", /previous digest AWSLogs\/.*_20261014T110000Z\.json\.gz is missing/);
  assert.deepEqual(result.missingHours, [
    { trail: "org_audit-trail", region: "eu-west-1", from: "2026-10-14T10:00:00Z", to: "2026-10-14T11:00:00Z" },
  ]);
  // The hour's log file is no longer vouched for by anything.
  assert.deepEqual(result.presentButUnlisted, trail.logsByHour[1]?.map(rel));
  // The first digest lost the successor that carried its signature.
  assert.deepEqual(
    result.signatures.map((s) => s.status),
    ["not-available", "valid", "not-available"],
  );
});

test("a log file no digest lists is present but unlisted", async () => {
  const { root, rel } = setup();
  const extra = join(
    root,
    "acme-cloudtrail/team/prod/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/10/14/111122223333_CloudTrail_eu-west-1_20261014T0947Z_EXTRAEXTRAEXTRA1.json.gz",
  );
  writeGzip(extra, JSON.stringify({ Records: [] }));
  const result = await verifyDigestFolder(root);
  assert.equal(result.ok, false);
  assert.equal(result.logFilesVerified, 6);
  assert.deepEqual(result.presentButUnlisted, [rel(extra)]);
});

test("signatures verify with the generated key, including the newest from a saved .sig", async () => {
  const { root, trail, keysFile } = setup();
  const newest = trail.digests.at(-1) ?? assert.fail("no digest");
  writeFileSync(`${newest}.sig`, `${trail.signatures.at(-1)}\n`);
  const result = await verifyDigestFolder(root, { publicKeysFile: keysFile });
  assert.equal(result.ok, true);
  assert.deepEqual(
    result.signatures.map((s) => s.status),
    ["valid", "valid", "valid", "valid"],
  );
});

test("head-object output saved beside the newest digest also supplies its signature", async () => {
  const { root, trail, keysFile } = setup();
  const newest = trail.digests.at(-1) ?? assert.fail("no digest");
  const metadata = { Metadata: { signature: trail.signatures.at(-1), "signature-algorithm": "SHA256withRSA" } };
  writeFileSync(`${newest}.metadata.json`, JSON.stringify(metadata));
  const result = await verifyDigestFolder(root, { publicKeysFile: keysFile });
  assert.equal(result.signatures.at(-1)?.status, "valid");
});

test("signatures are invalid under another key with the same fingerprint, no-key under none", async () => {
  const { root, trail } = setup();
  writeFileSync(`${trail.digests.at(-1)}.sig`, trail.signatures.at(-1) ?? "");
  const impostor = join(root, "impostor.json");
  writeFileSync(impostor, publicKeysJson([{ publicKey: otherKey.publicKey, fingerprint: key.fingerprint }]));
  const invalid = await verifyDigestFolder(root, { publicKeysFile: impostor });
  assert.equal(invalid.ok, false);
  assert.deepEqual(
    invalid.signatures.map((s) => s.status),
    ["invalid", "invalid", "invalid", "invalid"],
  );
  const unrelated = join(root, "unrelated.json");
  writeFileSync(unrelated, publicKeysJson([otherKey]));
  const noKey = await verifyDigestFolder(root, { publicKeysFile: unrelated });
  assert.deepEqual(
    noKey.signatures.map((s) => s.status),
    ["no-key", "no-key", "no-key", "no-key"],
  );
});

test("a rewritten digest breaks the hash link from its successor and fails its signature", async () => {
  const { root, trail, keysFile, rel } = setup();
  const digest = trail.digests[1] ?? assert.fail("no digest");
  const log = trail.logsByHour[1]?.[0] ?? assert.fail("no log");
  // An attacker alters a log and updates the digest's hash to match it.
  const forgedLog = readGzip(log).replace("ListBuckets", "DeleteBucket");
  writeGzip(log, forgedLog);
  const original = readGzip(digest);
  const listedHash = (JSON.parse(original) as { logFiles: { hashValue: string }[] }).logFiles[0]?.hashValue ?? "";
  writeGzip(digest, original.replace(listedHash, sha256(forgedLog)));
  const result = await verifyDigestFolder(root, { publicKeysFile: keysFile });
  assert.equal(result.ok, false);
  assert.deepEqual(result.altered, []);
  assert.deepEqual(
    result.chainBreaks.map((b) => b.digest),
    [rel(trail.digests[2] ?? "")],
  );
  assert.match(result.chainBreaks[0]?.reason ?? "", /was altered/);
  assert.equal(result.signatures.find((s) => s.digest === rel(digest))?.status, "invalid");
});

test("a chain restarted after logging was off leaves missing hours but no break", async () => {
  const root = tempDir("digest-");
  buildTrail(root, { start: "2026-10-14T09:00:00Z", logsPerHour: [1, 1] }, key);
  buildTrail(root, { start: "2026-10-14T14:00:00Z", logsPerHour: [1] }, key);
  const result = await verifyDigestFolder(root);
  assert.deepEqual(result.chainBreaks, []);
  assert.deepEqual(result.missingHours, [
    { trail: "org_audit-trail", region: "eu-west-1", from: "2026-10-14T11:00:00Z", to: "2026-10-14T14:00:00Z" },
  ]);
  assert.equal(result.logFilesVerified, 3);
  assert.equal(result.ok, false);
});

test("files copied into one flat folder are matched by base name", async () => {
  const { root, keysFile } = setup({ ...CHAIN, flat: true, localDir: "downloads" });
  const result = await verifyDigestFolder(root, { publicKeysFile: keysFile });
  assert.equal(result.ok, true);
  assert.equal(result.logFilesVerified, 6);
});

test("a gzip bomb over the size cap and a corrupt gzip are unreadable, not verified", async () => {
  const { root, trail, rel } = setup();
  const bomb = trail.logsByHour[0]?.[0] ?? assert.fail("no log");
  const corrupt = trail.logsByHour[3]?.[2] ?? assert.fail("no log");
  writeGzip(bomb, JSON.stringify({ Records: [{ padding: "0".repeat(2_000_000) }] }));
  writeFileSync(corrupt, readFileSync(corrupt).subarray(0, 20));
  const result = await verifyDigestFolder(root, { maxUncompressedBytes: 1_000_000 });
  assert.equal(result.ok, false);
  assert.equal(result.logFilesVerified, 4);
  assert.deepEqual(result.altered, []);
  assert.deepEqual(
    result.unreadable.map((u) => u.file),
    [rel(bomb), rel(corrupt)].sort(),
  );
  assert.match(result.unreadable.find((u) => u.file === rel(bomb))?.reason ?? "", /exceeds 1000000 bytes/);
});

test("a public-keys file that is not list-public-keys output is an input error", async () => {
  const { root } = setup();
  const bad = join(root, "keys.json");
  writeFileSync(bad, JSON.stringify({ Keys: [] }));
  await assert.rejects(verifyDigestFolder(root, { publicKeysFile: bad }), InputError);
});

test("Lake results verify against result_sign.json over the compressed files", async () => {
  const root = tempDir("lake-");
  const dir = join(root, "AWSLogs/111122223333/CloudTrail-Lake/Query/2026/10/14/q-1");
  buildLakeResult(dir, ["eventTime,eventName\n2026-10-14T09:01:00Z,DeleteStack\n", "eventTime\n"], key);
  const keysFile = join(root, "keys.json");
  writeFileSync(keysFile, publicKeysJson([key]));
  const result = await verifyDigestFolder(root, { publicKeysFile: keysFile });
  assert.equal(result.ok, true);
  assert.equal(result.lake.length, 1);
  assert.equal(result.lake[0]?.verified, 2);
  assert.equal(result.lake[0]?.signature.status, "valid");
});

test("a tampered Lake result fails its hash, and a re-hashed sign file fails its signature", async () => {
  const root = tempDir("lake-");
  const { signFile, results } = buildLakeResult(root, ["a,b\n1,2\n", "a,b\n3,4\n"], key);
  const keysFile = join(root, "keys.json");
  writeFileSync(keysFile, publicKeysJson([key]));
  const tampered = gzipSync("a,b\n3,5\n");
  writeFileSync(results[1] ?? assert.fail("no result"), tampered);
  const altered = await verifyDigestFolder(root, { publicKeysFile: keysFile });
  assert.equal(altered.ok, false);
  assert.deepEqual(altered.lake[0]?.altered.map((a) => [a.file, a.actual]), [
    ["result_2.csv.gz", createHash("sha256").update(tampered).digest("hex")],
  ]);
  assert.equal(altered.lake[0]?.signature.status, "valid");

  const sign = JSON.parse(readFileSync(signFile, "utf8")) as { files: { fileHashValue: string }[] };
  const entry = sign.files[1] ?? assert.fail("no entry");
  entry.fileHashValue = createHash("sha256").update(tampered).digest("hex");
  writeFileSync(signFile, JSON.stringify(sign));
  const resigned = await verifyDigestFolder(root, { publicKeysFile: keysFile });
  assert.deepEqual(resigned.lake[0]?.altered, []);
  assert.equal(resigned.lake[0]?.signature.status, "invalid");
  assert.equal(resigned.ok, false);
});

test("storage keys drop local roots and S3 prefixes, keeping organisation-trail folders", () => {
  assert.equal(
    storageKey("mirror/bucket/prefix/AWSLogs/o-abc123/111122223333/CloudTrail/x.json.gz"),
    "AWSLogs/o-abc123/111122223333/CloudTrail/x.json.gz",
  );
  assert.equal(storageKey("downloads\\x.json.gz"), "x.json.gz");
});

test("the string to sign ends in the literal null for a chain's first digest", () => {
  const digest = {
    awsAccountId: "1",
    digestStartTime: "2026-10-14T09:00:00Z",
    digestEndTime: "2026-10-14T10:00:00Z",
    digestS3Bucket: "b",
    digestS3Object: "k",
    digestPublicKeyFingerprint: "f",
    digestSignatureAlgorithm: "SHA256withRSA",
    previousDigestSignature: null,
    logFiles: [],
  };
  assert.equal(digestStringToSign(digest, "ab"), "2026-10-14T10:00:00Z\nb/k\nab\nnull");
});

test("a digest that is not a digest is a chain break, and its successor says so", async () => {
  const { root, trail, rel } = setup();
  writeGzip(trail.digests[1] ?? assert.fail("no digest"), "{}");
  const result = await verifyDigestFolder(root);
  assert.equal(result.digests, 3);
  assert.deepEqual(
    result.chainBreaks.map((b) => [b.digest, b.reason.split(":")[0]]),
    [
      [rel(trail.digests[1] ?? ""), "invalid format"],
      [rel(trail.digests[2] ?? ""), `previous digest ${storageKey(trail.digests[1] ?? "")} cannot be checked`],
    ],
  );
  assert.equal(result.ok, false);
});

test("log files of an organisation trail match their digest entries in memory", () => {
  const entryKey = "AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2026/10/14/111122223333_CloudTrail_eu-west-1_20261014T0905Z_A.json.gz";
  const digest = {
    awsAccountId: "111122223333",
    digestStartTime: "2026-10-14T09:00:00Z",
    digestEndTime: "2026-10-14T10:00:00Z",
    digestS3Bucket: "org-bucket",
    digestS3Object: "AWSLogs/o-abc123/111122223333/CloudTrail-Digest/eu-west-1/2026/10/14/111122223333_CloudTrail-Digest_eu-west-1_org_us-east-1_20261014T100000Z.json.gz",
    digestPublicKeyFingerprint: "f",
    digestSignatureAlgorithm: "SHA256withRSA",
    previousDigestSignature: null,
    logFiles: [{ s3Bucket: "org-bucket", s3Object: entryKey, hashValue: "AA" }],
  };
  const result = verifyIntegrity({
    digests: [{ file: `mirror/${digest.digestS3Object}`, content: Buffer.from(JSON.stringify(digest)) }],
    logs: [{ file: `mirror/${entryKey}`, sha256: "aa" }],
    lake: [],
  });
  assert.equal(result.logFilesVerified, 1);
  assert.deepEqual(result.chainBreaks, []);
  assert.equal(result.ok, true);
});

test("digests are scoped to their account, region and period: a log no digest covers is reported apart from one a digest should have listed", async (t) => {
  const root = tempDir("digest-scope-");
  t.after(() => rmSync(root, { recursive: true, force: true }));
  // Account A's chain in us-west-2, 2026-10-14 09:00-11:00.
  buildTrail(root, { start: "2026-10-14T09:00:00Z", logsPerHour: [1, 1], account: "111122223333", region: "us-west-2" }, key);
  const rel = (p: string) => relative(root, p).split("\\").join("/");
  const log = (account: string, region: string, stamp: string, id: string, org = "") =>
    join(root, `acme-cloudtrail/AWSLogs/${org ? `${org}/` : ""}${account}/CloudTrail/${region}/2026/10/14/${account}_CloudTrail_${region}_${stamp}_${id}.json.gz`);
  const otherAccount = log("444455556666", "eu-west-1", "20261014T0947Z", "ACCOUNTBXXXXXXX1");
  const otherRegion = log("111122223333", "eu-west-1", "20261014T0947Z", "REGIONXXXXXXXXX1");
  const before = log("111122223333", "us-west-2", "20261014T0810Z", "BEFOREXXXXXXXXX1");
  const after = log("111122223333", "us-west-2", "20261014T1150Z", "AFTERXXXXXXXXXX1");
  const orgLog = log("111122223333", "us-west-2", "20261014T0947Z", "ORGXXXXXXXXXXXX1", "o-abc123def4");
  const shouldBeListed = log("111122223333", "us-west-2", "20261014T0947Z", "EXTRAEXTRAEXTRA1");
  for (const f of [otherAccount, otherRegion, before, after, orgLog, shouldBeListed]) writeGzip(f, JSON.stringify({ Records: [] }));
  const result = await verifyDigestFolder(root);
  assert.deepEqual(result.presentButUnlisted, [rel(shouldBeListed)]);
  const why = new Map(result.notCovered.map((n) => [n.file, n.reason]));
  assert.equal(result.notCovered.length, 5);
  assert.match(why.get(rel(otherAccount))!, /^no digest in the folder is for account 444455556666, region eu-west-1$/);
  assert.match(why.get(rel(otherRegion))!, /^no digest in the folder is for account 111122223333, region eu-west-1$/);
  assert.match(why.get(rel(orgLog))!, /organisation o-abc123def4/);
  assert.match(why.get(rel(before))!, /delivered before the oldest digest .*\(2026-10-14T09:00:00Z\)/);
  assert.match(why.get(rel(after))!, /end of the newest digest .*\(2026-10-14T11:00:00Z\)/);
  assert.equal(result.ok, false, "an unverifiable log still keeps the folder from verifying");
});
