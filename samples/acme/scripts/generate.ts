/**
 * Regenerates the Acme sample workspace's inputs deterministically: a month (2026-10) of Claude
 * Code hook logs, CloudTrail S3 delivery files with their signed digests (cloudtrail-digests.ts)
 * and (git.ts) a git repository shipped as a bundle.
 * Run: node --import tsx samples/acme/scripts/generate.ts
 *
 * The month contains ordinary benign activity and the incident pattern auditors now ask about: an
 * agent role with operator-level permissions deletes and recreates the production CloudFormation
 * stack `prod-api` with no human approval.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildAcmeGit } from "./git.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PROD = "111122223333";
const STAGING = "444455556666";

/** Small seeded PRNG (mulberry32): sample data must be identical on every run. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(20261001);
const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("");
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
const iso = (day: number, h: number, m: number, s = 0) => new Date(Date.UTC(2026, 9, day, h, m, s)).toISOString();

// ---------------------------------------------------------------- Claude Code hook logs
interface Hook { [k: string]: unknown }
const hookLines: Record<string, Hook[]> = {};
function session(file: string, opts: { day: number; hour: number; cwd: string; mode: string; user: string; calls: { tool: string; input: Record<string, unknown>; prompt?: boolean; fail?: string }[] }) {
  const sid = uuid();
  const lines = (hookLines[file] ??= []);
  let t = Date.UTC(2026, 9, opts.day, opts.hour, Math.floor(rand() * 50));
  const at = () => new Date((t += 1000 + Math.floor(rand() * 40000))).toISOString();
  const base = { session_id: sid, transcript_path: `/home/${opts.user}/.claude/projects/${opts.cwd.replace(/[^a-zA-Z0-9]/g, "-")}/${sid}.jsonl`, cwd: opts.cwd };
  lines.push({ timestamp: at(), ...base, permission_mode: opts.mode, hook_event_name: "SessionStart", source: "startup", user_email: `${opts.user}@acme.example` });
  lines.push({ timestamp: at(), ...base, permission_mode: opts.mode, hook_event_name: "UserPromptSubmit", prompt: "Fix the failing health check in the api service" });
  for (const call of opts.calls) {
    const id = `toolu_01${hex(22)}`;
    lines.push({ timestamp: at(), ...base, permission_mode: opts.mode, hook_event_name: "PreToolUse", tool_name: call.tool, tool_input: call.input, tool_use_id: id });
    if (call.prompt) {
      lines.push({ timestamp: at(), ...base, permission_mode: opts.mode, hook_event_name: "PermissionRequest", tool_name: call.tool, tool_input: call.input, permission_suggestions: [] });
    }
    if (call.fail) {
      lines.push({ timestamp: at(), ...base, permission_mode: opts.mode, hook_event_name: "PostToolUseFailure", tool_name: call.tool, tool_input: call.input, tool_use_id: id, error: call.fail });
    } else {
      lines.push({ timestamp: at(), ...base, permission_mode: opts.mode, hook_event_name: "PostToolUse", tool_name: call.tool, tool_input: call.input, tool_use_id: id, tool_response: { stdout: "", exitCode: 0 } });
    }
  }
}

const DEVS = ["maria.garcia", "li.wei", "olga.ivanova", "sam.okafor"];
const BENIGN: { tool: string; input: Record<string, unknown>; prompt?: boolean }[] = [
  { tool: "Read", input: { file_path: "/home/dev/src/api/src/health.ts" } },
  { tool: "Grep", input: { pattern: "healthCheck", path: "/home/dev/src/api" } },
  { tool: "Bash", input: { command: "npm test -- --run health", description: "Run tests" } },
  { tool: "Edit", input: { file_path: "/home/dev/src/api/src/health.ts", old_string: "timeout: 500", new_string: "timeout: 2000" } },
  { tool: "Bash", input: { command: "git status && git diff --stat" } },
  { tool: "Bash", input: { command: "aws cloudformation describe-stacks --stack-name staging-api --profile staging" } },
  { tool: "Bash", input: { command: "git commit -am 'Raise health check timeout'" }, prompt: true },
];
for (let day = 1; day <= 31; day++) {
  const weekday = new Date(Date.UTC(2026, 9, day)).getUTCDay();
  if (weekday === 0 || weekday === 6) continue;
  const user = pick(DEVS);
  const calls = Array.from({ length: 4 + Math.floor(rand() * 4) }, () => pick(BENIGN));
  session(`logs/claude-code/2026-10/${user}.jsonl`, { day, hour: 8 + Math.floor(rand() * 8), cwd: "/home/dev/src/api", mode: "default", user, calls });
}
// A person confirms a destructive command in staging: the confirmation gate working as intended.
session("logs/claude-code/2026-10/li.wei.jsonl", {
  day: 8, hour: 10, cwd: "/home/dev/src/infra", mode: "default", user: "li.wei",
  calls: [{ tool: "Bash", input: { command: "terraform -chdir=envs/staging destroy -auto-approve -target=module.preview" }, prompt: true }],
});
// The incident: an on-call session in bypassPermissions mode on the production checkout.
session("logs/claude-code/2026-10/ops-oncall.jsonl", {
  day: 14, hour: 9, cwd: "/srv/prod/api", mode: "bypassPermissions", user: "ops.oncall",
  calls: [
    { tool: "Bash", input: { command: "aws cloudformation describe-stack-events --stack-name prod-api --profile prod" } },
    { tool: "Bash", input: { command: "aws cloudformation delete-stack --stack-name prod-api --profile prod" } },
    { tool: "Bash", input: { command: "aws cloudformation wait stack-delete-complete --stack-name prod-api --profile prod" } },
    { tool: "Bash", input: { command: "aws cloudformation create-stack --stack-name prod-api --template-body file://stack.yaml --capabilities CAPABILITY_IAM --profile prod" } },
  ],
});

// ---------------------------------------------------------------- CloudTrail
const UA_CLI = "aws-cli/2.17.1 md/awscrt#0.20.11 ua/2.0 os/linux#6.8 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard";
const AGENT_ROLE = "ai-agent-operator";
function identity(kind: "dev" | "ci" | "agent" | "service", account: string, who: string) {
  if (kind === "service") return { type: "AWSService", invokedBy: who };
  const role = kind === "ci" ? "github-actions-deploy" : kind === "agent" ? AGENT_ROLE : "AWSReservedSSO_Developer_0a1b2c3d";
  const sessionName = kind === "agent" ? `kiro-${who}` : kind === "ci" ? `gha-${hex(8)}` : `${who}@acme.example`;
  return {
    type: "AssumedRole",
    principalId: `AROA${hex(16).toUpperCase()}:${sessionName}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${sessionName}`,
    accountId: account,
    accessKeyId: `ASIA${hex(16).toUpperCase()}`,
    sessionContext: {
      sessionIssuer: { type: "Role", principalId: `AROA${hex(16).toUpperCase()}`, arn: `arn:aws:iam::${account}:role/${role}`, accountId: account, userName: role },
      attributes: { creationDate: "2026-10-01T00:00:00Z", mfaAuthenticated: kind === "dev" ? "true" : "false" },
      ...(kind === "agent" ? { sourceIdentity: "ops.oncall@acme.example" } : {}),
    },
  };
}
function record(time: string, account: string, region: string, source: string, name: string, ident: object, extra: Record<string, unknown> = {}) {
  const readOnly = /^(Describe|Get|List|Head|Lookup)/.test(name);
  return {
    eventVersion: "1.11",
    userIdentity: ident,
    eventTime: time.replace(/\.\d{3}Z$/, "Z"),
    eventSource: `${source}.amazonaws.com`,
    eventName: name,
    awsRegion: region,
    sourceIPAddress: "198.51.100.23",
    userAgent: UA_CLI,
    requestParameters: null,
    responseElements: null,
    requestID: uuid(),
    eventID: uuid(),
    readOnly,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: "Management",
    ...extra,
  };
}
const files = new Map<string, object[]>();
function deliver(account: string, region: string, time: string, rec: object) {
  const d = new Date(time);
  // Real trails deliver about every 5 minutes; the sample batches by hour to stay small. The file
  // name carries the delivery time, not the event time.
  const slot = new Date(Math.ceil(d.getTime() / 3600000) * 3600000 + 300000);
  const stamp = slot.toISOString().replace(/[-:]/g, "").slice(0, 13) + "Z";
  const dir = `cloudtrail/AWSLogs/${account}/CloudTrail/${region}/${slot.toISOString().slice(0, 10).replace(/-/g, "/")}`;
  const name = `${dir}/${account}_CloudTrail_${region}_${stamp}_${hex(16)}.json.gz`;
  const key = `${dir}|${stamp}`;
  let target = [...files.keys()].find((k) => k.startsWith(`${key}|`));
  if (!target) {
    target = `${key}|${name}`;
    files.set(target, []);
  }
  files.get(target)!.push(rec);
}
const BENIGN_CALLS: [string, string][] = [
  ["ec2", "DescribeInstances"], ["s3", "ListBuckets"], ["cloudformation", "DescribeStacks"], ["logs", "FilterLogEvents"],
  ["sts", "GetCallerIdentity"], ["lambda", "ListFunctions20150331"], ["ecs", "DescribeServices"], ["cloudwatch", "GetMetricData"],
];
for (let day = 1; day <= 31; day++) {
  for (let i = 0; i < 24; i++) {
    const account = rand() < 0.6 ? PROD : STAGING;
    const [svc, name] = pick(BENIGN_CALLS);
    const time = iso(day, 7 + Math.floor(rand() * 12), Math.floor(rand() * 60), Math.floor(rand() * 60));
    deliver(account, "eu-west-1", time, record(time, account, "eu-west-1", svc, name, identity("dev", account, pick(DEVS))));
  }
  // CI deploys through change management: UpdateStack by the deploy role.
  if (day % 3 === 0) {
    const time = iso(day, 15, 5);
    deliver(PROD, "eu-west-1", time, record(time, PROD, "eu-west-1", "cloudformation", "UpdateStack", identity("ci", PROD, "ci"), { requestParameters: { stackName: "prod-api" } }));
  }
  // The agent role's ordinary read-only use during the month.
  if (day % 2 === 1) {
    const time = iso(day, 11, 20, 5);
    deliver(STAGING, "eu-west-1", time, record(time, STAGING, "eu-west-1", "cloudformation", "DescribeStacks", identity("agent", STAGING, hex(8)), { userAgent: `${UA_CLI} exec-env/AmazonQ-For-CLI-Version-1.13.0` }));
  }
  const svcTime = iso(day, 2, 0);
  deliver(PROD, "eu-west-1", svcTime, record(svcTime, PROD, "eu-west-1", "kms", "Decrypt", identity("service", PROD, "lambda.amazonaws.com"), { eventType: "AwsApiCall", readOnly: true }));
}
// The incident: the agent role (operator-level rights) deletes and recreates the production stack.
const incident = identity("agent", PROD, "5b0c1d2e");
const kiroUa = `${UA_CLI} exec-env/AmazonQ-For-CLI-Version-1.13.0 command/cloudformation.delete-stack`;
for (const [time, name, extra] of [
  [iso(14, 9, 11, 40), "DescribeStackEvents", { requestParameters: { stackName: "prod-api" } }],
  [iso(14, 9, 12, 3), "DeleteStack", { requestParameters: { stackName: "prod-api" }, userAgent: kiroUa }],
  [iso(14, 9, 13, 20), "CreateStack", { requestParameters: { stackName: "prod-api", capabilities: ["CAPABILITY_IAM"] }, userAgent: kiroUa.replace("delete-stack", "create-stack") }],
] as const) {
  deliver(PROD, "eu-west-1", time, record(time, PROD, "eu-west-1", "cloudformation", name, incident, { userAgent: kiroUa, ...extra }));
}
// The same role tried to widen its own rights and was denied.
const denied = iso(14, 9, 40, 12);
deliver(PROD, "us-east-1", denied, record(denied, PROD, "us-east-1", "iam", "AttachRolePolicy", incident, {
  requestParameters: { roleName: AGENT_ROLE, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
  errorCode: "AccessDenied",
  errorMessage: `User: arn:aws:sts::${PROD}:assumed-role/${AGENT_ROLE}/kiro-5b0c1d2e is not authorized to perform: iam:AttachRolePolicy`,
}));

// ---------------------------------------------------------------- write
for (const sub of ["logs", "cloudtrail"]) rmSync(path.join(ROOT, sub), { recursive: true, force: true });
for (const [file, lines] of Object.entries(hookLines)) {
  mkdirSync(path.dirname(path.join(ROOT, file)), { recursive: true });
  writeFileSync(path.join(ROOT, file), lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
}
for (const [key, records] of files) {
  const name = key.split("|")[2]!;
  mkdirSync(path.dirname(path.join(ROOT, name)), { recursive: true });
  // gzip with mtime 0 (Node's default): identical bytes on every run.
  writeFileSync(path.join(ROOT, name), gzipSync(JSON.stringify({ Records: records })));
}
console.log(`wrote ${Object.keys(hookLines).length} agent logs, ${files.size} CloudTrail files`);
// Digests hash the log files just written, so they come right after them.
await import("./cloudtrail-digests.ts");
// The repository comes before the generators below: the Claude Code telemetry names one of its commits.
buildAcmeGit();

// Further generators (one module per area, each with its own seeded PRNG and output folder) are
// imported and run below, e.g. `await import("./codex.ts")`.
await import("./iam.ts");
await import("./claude-code-telemetry.ts");
await import("./codex-cursor.ts");
await import("./evidence-hook.ts");
