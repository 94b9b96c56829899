import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { rng } from "../samples/acme/scripts/lib.ts";

/**
 * A deterministic S3-layout CloudTrail folder for the ingest benchmark: `events` records of about
 * 1 KB each (real-shaped: assumed-role sessions, services, IAM users, errors, TLS details), split
 * into delivery files of `perFile` records under AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/.
 * As in real delivery, a file's records are all of the account and region its path names, and the
 * files are spread over October 2026, so the folder is a month of one trail whatever its size.
 * Written once per (events, perFile, version) and reused: generating a million records takes
 * longer than ingesting them.
 */
export const FIXTURE_VERSION = "3";

const ACCOUNTS = ["111122223333", "444455556666", "777788889999"];
const REGIONS = ["eu-west-1", "us-east-1", "eu-central-1"];
const CALLS: [string, string, boolean][] = [
  ["ec2", "DescribeInstances", true], ["s3", "ListBuckets", true], ["cloudformation", "DescribeStacks", true], ["logs", "FilterLogEvents", true],
  ["sts", "AssumeRole", false], ["lambda", "ListFunctions20150331", true], ["ecs", "DescribeServices", true], ["monitoring", "GetMetricData", true],
  ["kms", "Decrypt", true], ["ssm", "GetParameter", true], ["iam", "GetRole", true], ["ec2", "CreateTags", false], ["dynamodb", "DescribeTable", true],
  ["cloudformation", "UpdateStack", false], ["lambda", "UpdateFunctionCode20150331v2", false], ["ec2", "TerminateInstances", false],
];
const UA = "aws-cli/2.17.1 md/awscrt#0.20.11 ua/2.0 os/linux#6.8 md/arch#x86_64 lang/python#3.12.6";

export function fixtureRecords(seed: number, count: number, startMs: number, where?: { account: string; region: string }, spanMs = count * 60): object[] {
  const { next: rand, hex, uuid } = rng(seed);
  const out: object[] = [];
  const step = spanMs / Math.max(1, count);
  for (let i = 0; i < count; i++) {
    const account = where?.account ?? ACCOUNTS[Math.floor(rand() * ACCOUNTS.length)]!;
    const region = where?.region ?? REGIONS[Math.floor(rand() * REGIONS.length)]!;
    const [svc, name, readOnly] = CALLS[Math.floor(rand() * CALLS.length)]!;
    const kind = rand();
    const session = `dev${Math.floor(rand() * 40)}@example.com`;
    const role = kind < 0.1 ? "ai-agent-operator" : kind < 0.7 ? "AWSReservedSSO_Developer_0a1b2c3d" : "github-actions-deploy";
    const userIdentity =
      kind > 0.95
        ? { type: "AWSService", invokedBy: "lambda.amazonaws.com" }
        : {
            type: "AssumedRole",
            principalId: `AROA${hex(17).toUpperCase()}:${session}`,
            arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
            accountId: account,
            accessKeyId: `ASIA${hex(16).toUpperCase()}`,
            sessionContext: {
              sessionIssuer: { type: "Role", arn: `arn:aws:iam::${account}:role/${role}`, accountId: account, userName: role },
              attributes: { creationDate: new Date(startMs + i * 50).toISOString().replace(/\.\d{3}Z$/, "Z"), mfaAuthenticated: "false" },
            },
          };
    const denied = rand() < 0.02;
    out.push({
      eventVersion: "1.11",
      userIdentity,
      eventTime: new Date(startMs + Math.floor(i * step)).toISOString().replace(/\.\d{3}Z$/, "Z"),
      eventSource: `${svc}.amazonaws.com`,
      eventName: name,
      awsRegion: region,
      sourceIPAddress: `198.51.100.${Math.floor(rand() * 250)}`,
      userAgent: UA,
      ...(denied ? { errorCode: "AccessDenied", errorMessage: `User is not authorized to perform: ${svc}:${name}` } : {}),
      requestParameters: { resourceId: `r-${hex(12)}`, maxResults: 100 },
      responseElements: null,
      requestID: uuid(),
      eventID: uuid(),
      readOnly,
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: "Management",
      tlsDetails: { tlsVersion: "TLSv1.3", cipherSuite: "TLS_AES_128_GCM_SHA256", clientProvidedHostHeader: `${svc}.${region}.amazonaws.com` },
    });
  }
  return out;
}

/** Creates (or reuses) the folder and returns its path and the files in it. */
export function ensureTrailFixture(baseDir: string, events: number, perFile = 1000): { dir: string; files: string[] } {
  const dir = path.join(baseDir, `evidence-bench-cloudtrail-v${FIXTURE_VERSION}-${events}-${perFile}`);
  const listFile = path.join(dir, "files.json");
  if (existsSync(listFile)) return { dir, files: JSON.parse(readFileSync(listFile, "utf8")) as string[] };
  const temp = `${dir}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  const files: string[] = [];
  const start = Date.UTC(2026, 9, 1);
  const spacing = Math.floor((31 * 86_400_000) / Math.ceil(events / perFile));
  for (let f = 0; f * perFile < events; f++) {
    const n = Math.min(perFile, events - f * perFile);
    const account = ACCOUNTS[f % ACCOUNTS.length]!;
    const region = REGIONS[Math.floor(f / ACCOUNTS.length) % REGIONS.length]!;
    const t = new Date(start + f * spacing);
    const ymd = t.toISOString().slice(0, 10).replace(/-/g, "/");
    const stamp = t.toISOString().replace(/[-:]/g, "").slice(0, 13) + "Z";
    const rel = `AWSLogs/${account}/CloudTrail/${region}/${ymd}/${account}_CloudTrail_${region}_${stamp}_${f.toString(16).padStart(16, "0")}.json.gz`;
    mkdirSync(path.dirname(path.join(temp, rel)), { recursive: true });
    const records = fixtureRecords(f + 1, n, start + f * spacing, { account, region }, spacing);
    writeFileSync(path.join(temp, rel), gzipSync(JSON.stringify({ Records: records }), { level: 6 }));
    files.push(rel);
  }
  writeFileSync(path.join(temp, "files.json"), JSON.stringify(files));
  rmSync(dir, { recursive: true, force: true });
  renameSync(temp, dir);
  return { dir, files };
}
