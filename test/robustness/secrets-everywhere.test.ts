import { test } from "node:test";
import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { TestRepo } from "../helpers/git-repo.ts";
import { pdfText } from "../helpers/pdf-text.ts";
import { runCli, tempDir } from "../helpers/workspace.ts";

/**
 * The class of leak, end to end: at least 25 kinds of secret, each planted in every place the
 * inputs can carry text into the store (an agent command, a commit message, a pull-request title,
 * CloudTrail requestParameters and userAgent, a damaged line's reject excerpt, an input file
 * name), then a real `evidence build`. No secret value (nor its first 10 characters, in case a cut
 * kept half of it) may appear in any file of the package, in the PDF's text, or in the store's
 * files (the database, its WAL and shared-memory file). Fake secrets are built at run time, one
 * set per place, so a leak names the place it came from.
 */

/** Deterministic filler for a secret's body: `n` characters of `alphabet` drawn from SHA-256 of `seed`. */
function fill(seed: string, n: number, alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"): string {
  let out = "";
  for (let block = 0; out.length < n; block++) {
    for (const byte of createHash("sha256").update(`${seed}#${block}`).digest()) out += alphabet[byte % alphabet.length];
  }
  return out.slice(0, n);
}
const HEX = "0123456789abcdef";
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

interface Planted {
  kind: string;
  /** The secret itself: what must not be found. */
  value: string;
  /** The text it is written in (a command line, a config line). */
  text: string;
  /** Whether the secret alone can be a file name (no '/', spaces or quotes). */
  bare: boolean;
}

/** One secret of every kind for place `p`; each value is distinct per place. */
function plant(p: string): Planted[] {
  const f = (kind: string, n: number, alphabet?: string) => fill(`${p}/${kind}`, n, alphabet);
  const k = (kind: string, value: string, text: string, bare = false): Planted => ({ kind, value, text, bare });
  const pw = (kind: string) => `Pw${p}${f(kind, 10)}`;
  return [
    k("aws-secret-access-key", f("aws", 40, B64), `AWS_SECRET_ACCESS_KEY=${f("aws", 40, B64)} aws s3 ls`),
    k("github-token", `ghp_${f("ghp", 36)}`, `git clone https://x-access-token:ghp_${f("ghp", 36)}@github.com/acme/api.git`, true),
    k("gitlab-token", `glpat-${f("glpat", 20, URL64)}`, `GITLAB=glpat-${f("glpat", 20, URL64)} glab mr list`, true),
    k("slack-token", `xoxb-${f("slack1", 12, "0123456789")}-${f("slack", 24)}`, `curl -d token=xoxb-${f("slack1", 12, "0123456789")}-${f("slack", 24)} https://slack.com/api/auth.test`, true),
    k("anthropic-api-key", `sk-ant-api03-${f("ant", 93, URL64)}AA`, `ANTHROPIC_API_KEY=sk-ant-api03-${f("ant", 93, URL64)}AA claude -p hi`, true),
    k("openai-project-key", `sk-proj-${f("oa1", 40)}T3BlbkFJ${f("oa2", 40)}`, `export OPENAI_API_KEY=sk-proj-${f("oa1", 40)}T3BlbkFJ${f("oa2", 40)}`, true),
    k("openai-legacy-key", `sk-${f("oal", 48)}`, `python bot.py --key sk-${f("oal", 48)}`, true),
    k("jwt", `eyJhbGciOiJIUzI1NiJ9.eyJ${f("jwtp", 30, URL64)}.${f("jwts", 43, URL64)}`, `curl -H 'X-Session: eyJhbGciOiJIUzI1NiJ9.eyJ${f("jwtp", 30, URL64)}.${f("jwts", 43, URL64)}' https://api.acme.dev`),
    k("bearer", `${f("bearer", 32, HEX)}`, `curl -H "Authorization: Bearer ${f("bearer", 32, HEX)}" https://api.acme.dev`),
    k("url-password-with-at", `p@ss${p}@${f("urlpw", 10)}`, `psql postgres://admin:p@ss${p}@${f("urlpw", 10)}@db.internal:5432/app`),
    k("stripe-secret-key", `sk_live_${f("sk_live", 24)}`, `curl https://api.stripe.com/v1/charges -u sk_live_${f("sk_live", 24)}:`, true),
    k("stripe-restricted-key", `rk_live_${f("rk_live", 24)}`, `STRIPE_KEY=rk_live_${f("rk_live", 24)} node pay.js`, true),
    k("google-api-key", `AIza${f("aiza", 35, URL64)}`, `curl "https://maps.googleapis.com/maps/api/geocode/json?address=x&key=AIza${f("aiza", 35, URL64)}"`, true),
    k("npm-token", `npm_${f("npm", 36)}`, `echo //registry.npmjs.org/:_authToken npm_${f("npm", 36)} >> .npmrc`, true),
    k("npm-legacy-authtoken", `${f("npml", 8, HEX)}-${f("npml2", 4, HEX)}-4${f("npml3", 3, HEX)}-a${f("npml4", 3, HEX)}-${f("npml5", 12, HEX)}`,
      `npm config set //npm.acme.dev/:_authToken ${f("npml", 8, HEX)}-${f("npml2", 4, HEX)}-4${f("npml3", 3, HEX)}-a${f("npml4", 3, HEX)}-${f("npml5", 12, HEX)}`),
    k("mysql-p-attached", pw("mysqlp"), `mysql -uroot -p${pw("mysqlp")} -h db acme`),
    k("mysql-p-quoted", pw("mysqlq"), `mysqldump -u root -p'${pw("mysqlq")}' acme > dump.sql`),
    k("password-option-space", pw("pwopt"), `mysql --user root --password ${pw("pwopt")} acme`),
    k("sshpass", pw("sshpass"), `sshpass -p ${pw("sshpass")} ssh deploy@10.0.0.5 uptime`),
    k("curl-user", pw("curlu"), `curl -u admin:${pw("curlu")} https://jenkins.acme.dev/api/json`),
    k("docker-login", pw("docker"), `docker login -u ci -p ${pw("docker")} registry.acme.dev`),
    k("redis-cli", pw("redis"), `redis-cli -h cache -a ${pw("redis")} FLUSHALL`),
    k("mysql-pwd-env", pw("mysqlpwd"), `MYSQL_PWD=${pw("mysqlpwd")} mysql -u root acme`),
    k("huggingface-token", `hf_${f("hf", 34, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")}`, `huggingface-cli login --token hf_${f("hf", 34, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")}`, true),
    k("sendgrid-api-key", `SG.${f("sg1", 22, URL64)}.${f("sg2", 43, URL64)}`, `SENDGRID_KEY=SG.${f("sg1", 22, URL64)}.${f("sg2", 43, URL64)} node mail.js`, true),
    k("twilio-api-key", `SK${f("twilio", 32, HEX)}`, `twilio api:core:messages:create --api-key SK${f("twilio", 32, HEX)}`, true),
    k("azure-account-key", `${f("azure", 86, B64)}==`, `az storage blob list --connection-string "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${f("azure", 86, B64)}==;EndpointSuffix=core.windows.net"`),
    k("env-password", pw("envpw"), `echo DB_PASSWORD=${pw("envpw")} >> .env`),
  ];
}

const SESSION = "5b0c1d2e-0000-4000-a000-00000000beef";
const at = (minute: number) => `2026-10-14T09:${String(minute % 60).padStart(2, "0")}:00.000Z`;

function hookLines(commands: string[]): string[] {
  const base = { session_id: SESSION, cwd: "/srv/prod/api", permission_mode: "default" };
  return commands.flatMap((command, i) => {
    const id = `toolu_sec${i}`;
    return [
      JSON.stringify({ ...base, timestamp: at(i), hook_event_name: "PreToolUse", tool_name: "Bash", tool_input: { command }, tool_use_id: id }),
      JSON.stringify({ ...base, timestamp: at(i), hook_event_name: "PostToolUse", tool_name: "Bash", tool_input: { command }, tool_use_id: id, tool_response: { stdout: "ok", stderr: "", interrupted: false } }),
    ];
  });
}

/** Damaged lines (invalid JSON), one per secret, each with its secret inside the reject excerpt. */
function damagedLines(texts: string[]): string[] {
  return texts.map((text) => `{"hook_event_name":"PreToolUse","tool_input":{"command":${JSON.stringify(text)}`);
}

function cloudTrail(params: Planted[], agents: Planted[]): Buffer {
  const record = (i: number, extra: Record<string, unknown>) => ({
    eventVersion: "1.09", eventTime: `2026-10-14T10:${String(i).padStart(2, "0")}:00Z`, eventSource: "ssm.amazonaws.com", eventName: "SendCommand", awsRegion: "eu-west-1",
    // Failed calls are stored as full rows (ordinary ones become counts), so the parameters and user agent reach the store.
    errorCode: "InvalidInstanceId", sourceIPAddress: "198.51.100.23", userAgent: "aws-cli/2.17.1", eventID: `5ec7e75e-0000-4000-a000-0000000${String(i).padStart(5, "0")}`,
    eventType: "AwsApiCall", recipientAccountId: "111122223333",
    userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/ops/sam", accountId: "111122223333", accessKeyId: "ASIAQ7W2E4R6IDENT002" },
    ...extra,
  });
  const records = [
    ...params.map((s, i) => record(i, { requestParameters: { documentName: "AWS-RunShellScript", instanceIds: ["i-0abc"], parameters: { commands: [s.text] } } })),
    ...agents.map((s, i) => record(30 + i, { userAgent: `aws-cli/2.17.1 md/command#${s.text}`, requestParameters: { documentName: "AWS-RunShellScript" } })),
  ];
  return gzipSync(JSON.stringify({ Records: records }));
}

/** ECS task definition and CodeBuild project environments: the value is secret because its name says so. */
function nameValueRecords(p: string): { records: unknown[]; values: string[] } {
  const values = [`EcsPw${p}${fill("ecs" + p, 12)}`, `CbTok${p}${fill("cb" + p, 12)}`, `CfnSecret${p}${fill("cfn" + p, 12)}`];
  const base = {
    eventVersion: "1.09", awsRegion: "eu-west-1", errorCode: "ClientException", sourceIPAddress: "198.51.100.23", userAgent: "aws-cli/2.17.1", eventType: "AwsApiCall",
    recipientAccountId: "111122223333", userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/ops/sam", accountId: "111122223333" },
  };
  return {
    values,
    records: [
      {
        ...base, eventTime: "2026-10-14T11:00:00Z", eventSource: "ecs.amazonaws.com", eventName: "RegisterTaskDefinition", eventID: "5ec7e75e-0000-4000-a000-0000000e0001",
        requestParameters: { family: "api", containerDefinitions: [{ name: "api", image: "acme/api:1", environment: [{ name: "MODE", value: "prod" }, { name: "DB_PASSWORD", value: values[0] }] }] },
      },
      {
        ...base, eventTime: "2026-10-14T11:01:00Z", eventSource: "codebuild.amazonaws.com", eventName: "CreateProject", eventID: "5ec7e75e-0000-4000-a000-0000000e0002",
        requestParameters: { name: "api", environment: { environmentVariables: [{ name: "NPM_TOKEN", value: values[1], type: "PLAINTEXT" }] } },
      },
      {
        ...base, eventTime: "2026-10-14T11:02:00Z", eventSource: "cloudformation.amazonaws.com", eventName: "CreateStack", eventID: "5ec7e75e-0000-4000-a000-0000000e0003",
        requestParameters: { stackName: "api", parameters: [{ parameterKey: "Env", parameterValue: "prod" }, { Key: "ApiClientSecret", Value: values[2] }] },
      },
    ],
  };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => statSync(path.join(dir, f)).isFile()).sort();
}

test("25+ kinds of secret planted in every stored place: none in the package, the PDF text or the store files", async (t) => {
  const ws = tempDir("evidence-secrets-all-");
  const repo = new TestRepo();
  t.after(() => {
    rmSync(ws, { recursive: true, force: true });
    rmSync(repo.dir, { recursive: true, force: true });
  });
  const places = { command: plant("1"), commit: plant("2"), prTitle: plant("3"), ctParams: plant("4"), ctAgent: plant("5"), reject: plant("6"), fileName: plant("7") };
  assert.ok(new Set(places.command.map((s) => s.kind)).size >= 25, "at least 25 kinds");

  mkdirSync(path.join(ws, "logs", "names"), { recursive: true });
  writeFileSync(path.join(ws, "logs", "hooks.jsonl"), [...hookLines(places.command.map((s) => s.text)), ...damagedLines(places.reject.map((s) => s.text))].join("\n") + "\n");
  // File names: every kind whose secret can stand alone in a name, one small valid log each.
  const named = places.fileName.filter((s) => s.bare);
  for (const s of named) writeFileSync(path.join(ws, "logs", "names", `${s.value}.jsonl`), hookLines(["npm test"]).join("\n") + "\n");

  const trailDir = path.join(ws, "cloudtrail", "AWSLogs", "111122223333", "CloudTrail", "eu-west-1", "2026", "10", "14");
  mkdirSync(trailDir, { recursive: true });
  writeFileSync(path.join(trailDir, "111122223333_CloudTrail_eu-west-1_20261014T1000Z_secrets0001.json.gz"), cloudTrail(places.ctParams, places.ctAgent));
  const pairs = nameValueRecords("8");
  writeFileSync(path.join(trailDir, "111122223333_CloudTrail_eu-west-1_20261014T1100Z_secrets0002.json.gz"), gzipSync(JSON.stringify({ Records: pairs.records })));

  for (const s of places.commit) repo.commit(`Deploy fix\n\n${s.text}`);
  repo.git(["bundle", "create", path.join(ws, "api.bundle"), "main"]);
  mkdirSync(path.join(ws, "prs"));
  writeFileSync(
    path.join(ws, "prs", "merged.json"),
    JSON.stringify(places.prTitle.map((s, i) => ({
      number: i + 1, title: `Rotate creds: ${s.text}`, author: { login: "dev" }, mergedBy: { login: "lead" }, mergedAt: "2026-10-14T12:00:00Z",
      mergeCommit: { oid: fill(`merge${i}`, 40, HEX) }, headRefName: `fix-${i}`, baseRefName: "main", reviewDecision: "APPROVED", reviews: [], commits: [], labels: [],
    }))),
  );
  writeFileSync(
    path.join(ws, "evidence.config.yaml"),
    `organisation: { name: Secret Co }
sources:
  - { name: hooks, kind: claude-code-hooks, paths: ["logs/**/*.jsonl"] }
  - { name: cloudtrail, kind: cloudtrail, paths: ["cloudtrail/**/*.json.gz"] }
  - { name: code, kind: git, repository: api.bundle }
  - { name: prs, kind: github-pull-requests, paths: ["prs/*.json"] }
agents:
  - { id: claude-code, product: claude-code, match: { logProducts: [claude-code] } }
`,
  );
  const out = path.join(ws, "out");
  const result = runCli(["build", "--config", path.join(ws, "evidence.config.yaml"), "--period", "2026-10", "--out", out, "--json"]);
  assert.ok(result.status === 0 || result.status === 1, `build failed (${result.status}): ${result.stderr}`);

  const files = listFiles(out);
  assert.ok(files.includes("report.pdf") && files.includes("evidence-inventory.csv") && files.includes("manifest.json"));
  const storeFiles = ["evidence.db", "evidence.db-wal", "evidence.db-shm"].map((f) => path.join(ws, ".evidence", f)).filter((f) => existsSync(f));
  assert.ok(storeFiles.length >= 1);
  const corpora: [string, string][] = [
    ...files.map((f): [string, string] => [`package ${f}`, readFileSync(path.join(out, f), "latin1")]),
    ["report.pdf text", await pdfText(path.join(out, "report.pdf"))],
    ...storeFiles.map((f): [string, string] => [path.basename(f), readFileSync(f).toString("latin1")]),
  ];
  const leaks: string[] = [];
  const all = [...Object.entries(places).flatMap(([place, list]) => (place === "fileName" ? named : list).map((s) => ({ place, ...s }))),
    ...pairs.values.map((value) => ({ place: "name/value pair", kind: "secret-named-value", value }))];
  for (const s of all) {
    for (const needle of new Set([s.value, s.value.slice(0, 10)])) {
      for (const [where, text] of corpora) if (text.includes(needle)) leaks.push(`${s.place} ${s.kind} "${needle}" in ${where}`);
    }
  }
  assert.deepEqual(leaks, [], `${leaks.length} leaks`);

  // The planted text did reach the store (redacted), so the absence above is not an empty store.
  const db = corpora.find(([w]) => w === "evidence.db")![1];
  for (const id of ["curl-user-password", "stripe-key", "secret-named-value", "url-password"]) assert.ok(db.includes(`[REDACTED:${id}:`) || corpora.some(([, c]) => c.includes(`[REDACTED:${id}:`)), `${id} placeholder stored`);
  const inventory = readFileSync(path.join(out, "evidence-inventory.csv"), "utf8");
  assert.equal((inventory.match(/logs\/names\/\[REDACTED:/g) ?? []).length, named.length, "every secret file name is listed, redacted");
  console.log(`secrets everywhere: ${all.length} secrets of ${new Set(all.map((s) => s.kind)).size} kinds in ${Object.keys(places).length + 1} places; none in ${files.length} package files, the PDF text or ${storeFiles.length} store files`);
});
