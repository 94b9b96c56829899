/**
 * CloudTrail log file validation for the sample: hourly digest files for every account and region
 * the trails deliver to, chained and signed as CloudTrail writes them, the `aws cloudtrail
 * list-public-keys` output that checks the signatures, and `aws s3api head-object` output for each
 * chain's newest digest (its signature exists only in S3 metadata). The digests are built by
 * test/helpers/cloudtrail-digest-builder.ts, which follows the AWS documentation.
 *
 * The story: every hour of October has its digest and every log file verifies, except one
 * staging log file that no digest lists, as a file copied into the bucket by hand rather than
 * delivered by CloudTrail would be. `cloudtrail-log-integrity-verified` (CC7.2) fails on that one
 * file and names it. It holds a developer's read-only call, far from the 14 October incident, so
 * the incident's own logs stay verified.
 *
 * Reads the log files generate.ts wrote, so it runs after them. Deterministic: the key is a
 * committed sample-only key and RSA PKCS#1 v1.5 signatures do not vary between runs.
 */
import { createHash, createPrivateKey } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { digestChain, publicKeysJson, signingKey, type DigestStream, type ListedLog } from "../../../test/helpers/cloudtrail-digest-builder.ts";
import { PROD_ACCOUNT, ROOT, STAGING_ACCOUNT, writeSampleFile } from "./lib.ts";

// Not a secret: generated once for the sample and used only to sign the sample's digests.
const KEY = signingKey(createPrivateKey(readFileSync(path.join(ROOT, "scripts", "sample-only-cloudtrail-digest-key.pem"))));
const BUCKET = "acme-cloudtrail-logs";
const START = "2026-10-01T00:00:00Z";
const HOURS = 31 * 24;
const HOUR = 3_600_000;
// A multi-region trail writes digests for every enabled region, even idle ones; the sample keeps
// the regions its logs come from. Each account has its own trail delivering to the shared bucket.
const TRAILS = [
  { account: PROD_ACCOUNT, trail: "acme-prod-audit", homeRegion: "eu-west-1", regions: ["eu-west-1", "us-east-1"] },
  { account: STAGING_ACCOUNT, trail: "acme-staging-audit", homeRegion: "eu-west-1", regions: ["eu-west-1"] },
];
/** The deliberate problem: present in the bucket, listed by no digest. */
const UNLISTED = "444455556666_CloudTrail_eu-west-1_20261022T1405Z_95954717707e3a9a.json.gz";

const CLOUDTRAIL = path.join(ROOT, "cloudtrail");
let unlistedSeen = false;
const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

/** The log files of one account and region, by delivery hour of October (from the file name). */
function logsByHour(account: string, region: string): ListedLog[][] {
  const hours: ListedLog[][] = Array.from({ length: HOURS }, () => []);
  const dir = path.join(CLOUDTRAIL, "AWSLogs", account, "CloudTrail", region);
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".json.gz")).sort();
  for (const file of files) {
    const name = path.basename(file);
    if (name === UNLISTED) {
      unlistedSeen = true;
      continue;
    }
    const stamp = /_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_/.exec(name);
    if (!stamp) throw new Error(`${file}: no delivery time in the name`);
    const [, y, mo, d, h, mi] = stamp;
    const hour = Math.floor((Date.parse(`${y}-${mo}-${d}T${h}:${mi}:00Z`) - Date.parse(START)) / HOUR);
    const text = gunzipSync(readFileSync(path.join(dir, file)));
    const times = (JSON.parse(text.toString("utf8")) as { Records: { eventTime: string }[] }).Records.map((r) => r.eventTime).sort();
    if (!hours[hour] || !times.length) throw new Error(`${file}: delivered outside October or empty`);
    const s3Object = path.relative(CLOUDTRAIL, path.join(dir, file)).split(path.sep).join("/");
    hours[hour].push({ s3Object, sha256: sha256(text), oldestEventTime: times[0]!, newestEventTime: times.at(-1)! });
  }
  return hours;
}

// Every folder of logs needs its trail, or its files would show up as unlisted by accident.
const streams = TRAILS.flatMap((t) => t.regions.map((region) => `${t.account}/${region}`));
for (const account of readdirSync(path.join(CLOUDTRAIL, "AWSLogs"))) {
  for (const region of readdirSync(path.join(CLOUDTRAIL, "AWSLogs", account, "CloudTrail"))) {
    if (!streams.includes(`${account}/${region}`)) throw new Error(`no sample trail delivers ${account}/${region}`);
  }
}

let digests = 0;
for (const t of TRAILS) {
  for (const region of t.regions) {
    const stream: DigestStream = { account: t.account, region, trail: t.trail, homeRegion: t.homeRegion, bucket: BUCKET, s3Prefix: "" };
    const hours = logsByHour(t.account, region);
    const chain = digestChain(stream, START, hours, KEY);
    for (const d of chain) writeSampleFile(path.join("cloudtrail", d.key), gzipSync(Buffer.from(d.text, "utf8")));
    // `aws s3api head-object` on the newest digest, saved beside it: the only place its signature is.
    const newest = chain.at(-1)!;
    const object = gzipSync(Buffer.from(newest.text, "utf8"));
    const headObject = {
      LastModified: JSON.parse(newest.text).digestEndTime,
      ContentLength: object.length,
      ETag: `"${createHash("md5").update(object).digest("hex")}"`,
      Metadata: { signature: newest.signature, "signature-algorithm": "SHA256withRSA" },
    };
    writeSampleFile(path.join("cloudtrail", `${newest.key}.metadata.json`), `${JSON.stringify(headObject, null, 4)}\n`);
    digests += chain.length;
  }
}
if (!unlistedSeen) throw new Error(`${UNLISTED} is not among the sample's log files: pick another one to leave unlisted`);
writeSampleFile("cloudtrail/list-public-keys.json", `${JSON.stringify(JSON.parse(publicKeysJson([KEY])), null, 4)}\n`);
console.log(`wrote ${digests} CloudTrail digest files (${UNLISTED} deliberately unlisted)`);
