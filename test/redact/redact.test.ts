import { createHash } from "node:crypto";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { createRedactor, loadDefaultPatterns, type RedactionPattern } from "../../src/redact/index.ts";

// Fake secrets are built at run time, so this file holds no token-shaped literal for scanners to flag.
function fake(seed: string, length: number, alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"): string {
  let state = [...seed].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  let out = "";
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    out += alphabet[(state >>> 8) % alphabet.length];
  }
  return out;
}
const b64 = (seed: string, n: number) => fake(seed, n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
const url64 = (seed: string, n: number) => fake(seed, n, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
const hex = (seed: string, n: number) => fake(seed, n, "0123456789abcdef");
const digits = (seed: string, n: number) => fake(seed, n, "0123456789");
const short = (secret: string) => createHash("sha256").update(secret).digest("hex").slice(0, 8);
const placeholder = (id: string, secret: string) => `[REDACTED:${id}:${short(secret)}]`;

const ghp = "ghp_" + fake("ghp", 36);
const gho = "gho_" + fake("gho", 36);
const ghs = "ghs_" + fake("ghs", 36);
const githubPat = "github_pat_" + fake("pat1", 22) + "_" + fake("pat2", 59);
const glpat = "glpat-" + url64("glpat", 20);
const glpatRoutable = "glpat-" + url64("glpat-r", 27) + ".01" + fake("r", 7).toLowerCase();
const gldt = "gldt-" + url64("gldt", 20);
const awsSecret = b64("aws-secret", 40);
const awsSecret2 = b64("aws-secret-2", 40);
const akia = "AKIA" + fake("akia", 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
const asia = "ASIA" + fake("asia", 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
const jwt = (seed: string) => "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ" + url64(seed + "p", 40) + "." + url64(seed + "s", 43);
const sessionToken = "IQoJb3JpZ2luX2Vj" + b64("session", 120);
const pemBody = [b64("pem1", 64), b64("pem2", 64), b64("pem3", 20) + "=="];

interface Positive {
  id: string;
  text: string;
  /** Every secret the text holds under `id`; each must be gone and replaced by its placeholder. */
  secrets: string[];
}

// prettier-ignore
const POSITIVE: Positive[] = [
  { id: "private-key-block", text: `key:\n-----BEGIN RSA PRIVATE KEY-----\n${pemBody.join("\n")}\n-----END RSA PRIVATE KEY-----\nok`, secrets: [`-----BEGIN RSA PRIVATE KEY-----\n${pemBody.join("\n")}\n-----END RSA PRIVATE KEY-----`] },
  { id: "private-key-block", text: `{"output":"-----BEGIN OPENSSH PRIVATE KEY-----\\n${pemBody.join("\\n")}\\n-----END OPENSSH PRIVATE KEY-----\\n"}`, secrets: [`-----BEGIN OPENSSH PRIVATE KEY-----\\n${pemBody.join("\\n")}\\n-----END OPENSSH PRIVATE KEY-----`] },
  { id: "private-key-block", text: `cat id.pem | head -3\n-----BEGIN PRIVATE KEY-----\n${pemBody[0]}\n${pemBody[1]}`, secrets: [`-----BEGIN PRIVATE KEY-----\n${pemBody[0]}\n${pemBody[1]}`] },
  { id: "private-key-block", text: `-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,${hex("iv", 32).toUpperCase()}\n\n${pemBody[0]}\n-----END EC PRIVATE KEY-----`, secrets: [`-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,${hex("iv", 32).toUpperCase()}\n\n${pemBody[0]}\n-----END EC PRIVATE KEY-----`] },
  { id: "github-token", text: `export GITHUB_TOKEN=${ghp}`, secrets: [ghp] },
  { id: "github-token", text: `{"access_token":"${gho}","token_type":"bearer","scope":"repo"}`, secrets: [gho] },
  { id: "github-token", text: `git push https://x-access-token:${ghs}@github.com/acme/api.git main`, secrets: [ghs] },
  { id: "github-token", text: `gh auth login --with-token <<< ${githubPat}`, secrets: [githubPat] },
  { id: "gitlab-token", text: `curl --header "PRIVATE-TOKEN: ${glpat}" https://gitlab.example.com/api/v4/projects`, secrets: [glpat] },
  { id: "gitlab-token", text: `git clone https://oauth2:${glpatRoutable}@gitlab.com/acme/infra.git`, secrets: [glpatRoutable] },
  { id: "gitlab-token", text: `deploy token is ${gldt}.`, secrets: [gldt] },
  { id: "slack-token", text: `SLACK_BOT=xoxb-${digits("b1", 12)}-${digits("b2", 13)}-${fake("b3", 24)}`, secrets: [`xoxb-${digits("b1", 12)}-${digits("b2", 13)}-${fake("b3", 24)}`] },
  { id: "slack-token", text: `client = WebClient(token="xoxp-${digits("p1", 11)}-${digits("p2", 10)}-${digits("p3", 11)}-${hex("p4", 32)}")`, secrets: [`xoxp-${digits("p1", 11)}-${digits("p2", 10)}-${digits("p3", 11)}-${hex("p4", 32)}`] },
  { id: "slack-token", text: `app token xapp-1-A${fake("a1", 10).toUpperCase()}-${digits("a2", 13)}-${hex("a3", 64)} loaded`, secrets: [`xapp-1-A${fake("a1", 10).toUpperCase()}-${digits("a2", 13)}-${hex("a3", 64)}`] },
  { id: "slack-webhook-url", text: `curl -X POST https://hooks.slack.com/services/T${fake("t", 8).toUpperCase()}/B${fake("b", 8).toUpperCase()}/${fake("w", 24)} -d @msg.json`, secrets: [`services/T${fake("t", 8).toUpperCase()}/B${fake("b", 8).toUpperCase()}/${fake("w", 24)}`] },
  { id: "slack-webhook-url", text: `{"webhook":"https://hooks.slack.com/workflows/T0${fake("wf", 9)}/A0${fake("wf2", 9)}/${digits("wf3", 18)}/${fake("wf4", 24)}"}`, secrets: [`workflows/T0${fake("wf", 9)}/A0${fake("wf2", 9)}/${digits("wf3", 18)}/${fake("wf4", 24)}`] },
  { id: "anthropic-api-key", text: `ANTHROPIC_API_KEY=sk-ant-api03-${url64("ant", 93)}AA claude -p "fix the tests"`, secrets: [`sk-ant-api03-${url64("ant", 93)}AA`] },
  { id: "anthropic-api-key", text: `{"claudeAiOauth":{"accessToken":"sk-ant-oat01-${url64("oat", 95)}"}}`, secrets: [`sk-ant-oat01-${url64("oat", 95)}`] },
  { id: "openai-api-key", text: `openai.api_key = sk-proj-${url64("oa1", 74)}T3BlbkFJ${url64("oa2", 74)}`, secrets: [`sk-proj-${url64("oa1", 74)}T3BlbkFJ${url64("oa2", 74)}`] },
  { id: "openai-api-key", text: `Using key sk-${fake("ol1", 20)}T3BlbkFJ${fake("ol2", 20)} for embeddings`, secrets: [`sk-${fake("ol1", 20)}T3BlbkFJ${fake("ol2", 20)}`] },
  { id: "jwt", text: `id_token received: ${jwt("a")} (expires in 3600s)`, secrets: [jwt("a")] },
  { id: "jwt", text: `Set-Cookie: session=${jwt("b")}; Path=/; HttpOnly`, secrets: [jwt("b")] },
  { id: "jwt", text: `curl -H "Authorization: Bearer ${jwt("c")}" https://api.example.com/me`, secrets: [jwt("c")] },
  { id: "aws-secret-access-key", text: `AWS_SECRET_ACCESS_KEY=${awsSecret} terraform apply`, secrets: [awsSecret] },
  { id: "aws-secret-access-key", text: `[default]\naws_secret_access_key = ${awsSecret}\nregion = eu-west-1`, secrets: [awsSecret] },
  { id: "aws-secret-access-key", text: `aws configure set aws_secret_access_key ${awsSecret2}`, secrets: [awsSecret2] },
  { id: "aws-secret-access-key", text: `{"Credentials":{"SecretAccessKey":"${awsSecret2}","Expiration":"2026-10-14T10:00:00Z"}}`, secrets: [awsSecret2] },
  { id: "aws-access-key-id", text: `AWS_ACCESS_KEY_ID=${akia} AWS_SECRET_ACCESS_KEY=${awsSecret} aws s3 ls`, secrets: [akia] },
  { id: "aws-access-key-id", text: `[default]\naws_access_key_id = ${akia}\naws_secret_access_key = ${awsSecret}\n`, secrets: [akia] },
  { id: "aws-access-key-id", text: `{"Credentials":{"AccessKeyId":"${asia}","SecretAccessKey":"${awsSecret2}","SessionToken":"x"}}`, secrets: [asia] },
  { id: "aws-access-key-id", text: `export AWS_SECRET_ACCESS_KEY=${awsSecret2}\nexport AWS_ACCESS_KEY_ID=${asia}`, secrets: [asia] },
  { id: "authorization-header", text: `Authorization: Basic ${Buffer.from("deploy:" + fake("bp", 12)).toString("base64")}`, secrets: [Buffer.from("deploy:" + fake("bp", 12)).toString("base64")] },
  { id: "authorization-header", text: `{"headers":{"authorization":"Bot ${url64("bot", 24)}.${url64("bot2", 6)}.${url64("bot3", 27)}"}}`, secrets: [`${url64("bot", 24)}.${url64("bot2", 6)}.${url64("bot3", 27)}`] },
  { id: "authorization-header", text: `proxy-authorization: Bearer ${fake("opaque", 32)}`, secrets: [fake("opaque", 32)] },
  { id: "authorization-header", text: `Authorization: ${fake("raw", 20)}9`, secrets: [`${fake("raw", 20)}9`] },
  { id: "bearer-token", text: `token_type=Bearer ya29.${url64("ya29", 60)}1`, secrets: [`ya29.${url64("ya29", 60)}1`] },
  { id: "bearer-token", text: `headers = {"X-Auth": "Bearer ${hex("bt", 40)}"}`, secrets: [hex("bt", 40)] },
  { id: "secret-header", text: `curl -H 'X-Api-Key: ${hex("xak", 32)}' https://api.example.com`, secrets: [hex("xak", 32)] },
  { id: "secret-header", text: `X-Vault-Token: hvs.${fake("vault", 24)}`, secrets: [`hvs.${fake("vault", 24)}`] },
  { id: "secret-header", text: `{"x-goog-api-key":"${hex("goog", 39)}"}`, secrets: [hex("goog", 39)] },
  { id: "url-password", text: `DATABASE_URL_RO=postgres://app:${fake("pg", 16)}@db.internal:5432/acme`, secrets: [fake("pg", 16)] },
  { id: "url-password", text: `redis-cli -u redis://:${fake("redis", 12)}@cache:6379/0 ping`, secrets: [fake("redis", 12)] },
  { id: "url-password", text: `pip install --index-url https://deploy:S3cr!t${digits("pip", 4)}@pypi.acme.dev/simple pkg`, secrets: [`S3cr!t${digits("pip", 4)}`] },
  { id: "url-password", text: `psql postgres://admin:p@ss@${fake("at", 10)}@db.internal:5432/app`, secrets: [`p@ss@${fake("at", 10)}`] },
  { id: "stripe-key", text: `curl https://api.stripe.com/v1/charges -u sk_live_${fake("stripe-sk", 24)}:`, secrets: [`sk_live_${fake("stripe-sk", 24)}`] },
  { id: "stripe-key", text: `STRIPE_RESTRICTED=rk_live_${fake("stripe-rk", 99)}`, secrets: [`rk_live_${fake("stripe-rk", 99)}`] },
  { id: "google-api-key", text: `curl "https://maps.googleapis.com/maps/api/geocode/json?address=x&key=AIza${url64("gk1", 35)}"`, secrets: [`AIza${url64("gk1", 35)}`] },
  { id: "google-api-key", text: `{"x-goog-api-key":"AIza${url64("goog", 35)}"}`, secrets: [`AIza${url64("goog", 35)}`] },
  { id: "npm-token", text: `npm config set //registry.npmjs.org/:_authToken npm_${fake("npm1", 36)}`, secrets: [`npm_${fake("npm1", 36)}`] },
  { id: "npm-token", text: `NODE_AUTH=npm_${fake("npm2", 36)} npm publish`, secrets: [`npm_${fake("npm2", 36)}`] },
  { id: "npmrc-auth", text: `npm config set //npm.acme.dev/:_authToken ${hex("legacy-npm", 8)}-${hex("l2", 4)}-${hex("l3", 4)}-${hex("l4", 4)}-${hex("l5", 12)}`, secrets: [`${hex("legacy-npm", 8)}-${hex("l2", 4)}-${hex("l3", 4)}-${hex("l4", 4)}-${hex("l5", 12)}`] },
  { id: "npmrc-auth", text: `//npm.acme.dev/:_auth=${b64("npm-auth", 24)}9`, secrets: [`${b64("npm-auth", 24)}9`] },
  { id: "mysql-password-option", text: `mysql -uroot -p${fake("my-p", 12)} -h db acme`, secrets: [fake("my-p", 12)] },
  { id: "mysql-password-option", text: `mysqldump -u root -p'${fake("my-q", 8)} x!' acme > dump.sql`, secrets: [`${fake("my-q", 8)} x!`] },
  { id: "cli-password-option", text: `mysql --user root --password ${fake("cli-pw", 12)} acme`, secrets: [fake("cli-pw", 12)] },
  { id: "cli-password-option", text: `docker login --username ci --password "${fake("cli-dl", 16)}" ghcr.io`, secrets: [fake("cli-dl", 16)] },
  { id: "sshpass-password", text: `sshpass -p ${fake("ssh-p", 12)} ssh deploy@10.0.0.5 uptime`, secrets: [fake("ssh-p", 12)] },
  { id: "sshpass-password", text: `sshpass -p'${fake("ssh-q", 10)}' scp a.tgz host:/tmp`, secrets: [fake("ssh-q", 10)] },
  { id: "registry-login-password", text: `docker login -u ci -p ${fake("reg-p", 20)} registry.acme.dev`, secrets: [fake("reg-p", 20)] },
  { id: "registry-login-password", text: `podman login registry.acme.dev -u ci -p '${fake("reg-q", 14)}'`, secrets: [fake("reg-q", 14)] },
  { id: "redis-cli-password", text: `redis-cli -h cache -a ${fake("redis-a", 16)} FLUSHALL`, secrets: [fake("redis-a", 16)] },
  { id: "redis-cli-password", text: `redis-cli --user ops --pass "${fake("redis-b", 12)}" ping`, secrets: [fake("redis-b", 12)] },
  { id: "curl-user-password", text: `curl -u admin:${fake("curl-u", 14)} https://jenkins.acme.dev/api/json`, secrets: [fake("curl-u", 14)] },
  { id: "curl-user-password", text: `curl -s --user 'api:${fake("curl-v", 12)}' https://api.mailgun.net/v3/x`, secrets: [fake("curl-v", 12)] },
  { id: "mysql-pwd-env", text: `MYSQL_PWD=${fake("mpwd", 12)} mysql -u root acme`, secrets: [fake("mpwd", 12)] },
  { id: "mysql-pwd-env", text: `export MYSQL_PWD='${fake("mpwd2", 10)}'`, secrets: [fake("mpwd2", 10)] },
  { id: "huggingface-token", text: `huggingface-cli login --token hf_${fake("hf1", 34, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")}`, secrets: [`hf_${fake("hf1", 34, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")}`] },
  { id: "huggingface-token", text: `HF=hf_${fake("hf2", 34)} python train.py`, secrets: [`hf_${fake("hf2", 34)}`] },
  { id: "sendgrid-api-key", text: `SENDGRID=SG.${url64("sg1", 22)}.${url64("sg2", 43)}`, secrets: [`SG.${url64("sg1", 22)}.${url64("sg2", 43)}`] },
  { id: "sendgrid-api-key", text: `sg.setApiKey("SG.${url64("sg3", 22)}.${url64("sg4", 43)}")`, secrets: [`SG.${url64("sg3", 22)}.${url64("sg4", 43)}`] },
  { id: "twilio-api-key", text: `twilio api:core:messages:create --api-key SK${hex("tw1", 32)}`, secrets: [`SK${hex("tw1", 32)}`] },
  { id: "twilio-api-key", text: `TWILIO_API_KEY_SID=SK${hex("tw2", 32)}`, secrets: [`SK${hex("tw2", 32)}`] },
  { id: "azure-storage-key", text: `az storage blob list --connection-string "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${b64("az1", 86)}==;EndpointSuffix=core.windows.net"`, secrets: [`${b64("az1", 86)}==`] },
  { id: "azure-storage-key", text: `Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${b64("az2", 43)}=`, secrets: [`${b64("az2", 43)}=`] },
  { id: "openai-api-key", text: `OPENAI=sk-${fake("oa-legacy", 48)} python bot.py`, secrets: [`sk-${fake("oa-legacy", 48)}`] },
  { id: "secret-assignment-quoted", text: `{"db_password": "correct horse battery staple", "db_user": "app"}`, secrets: ["correct horse battery staple"] },
  { id: "secret-assignment-quoted", text: `STRIPE_API_KEY = '${fake("stripe", 24)}'`, secrets: [fake("stripe", 24)] },
  { id: "secret-assignment-quoted", text: `const config = { clientSecret: "${fake("cs", 30)}", clientId: "web" };`, secrets: [fake("cs", 30)] },
  { id: "secret-assignment-quoted", text: `{"credentials":{"accessKeyId":"${asia}","sessionToken":"${sessionToken}"}}`, secrets: [sessionToken] },
  { id: "secret-assignment-env", text: `export DB_PASSWORD=${fake("dbp", 14)} && psql -h db`, secrets: [fake("dbp", 14)] },
  { id: "secret-assignment-env", text: `docker run -e WEBHOOK_SECRET=${fake("whs", 20)} -e MODE=prod acme/api`, secrets: [fake("whs", 20)] },
  { id: "secret-assignment-env", text: `mysqladmin --user=root --password=${fake("my", 10)}1 status`, secrets: [`${fake("my", 10)}1`] },
  { id: "secret-assignment-env", text: `GET /login?user=ops&password=${fake("qs", 9)}&next=/ HTTP/1.1`, secrets: [fake("qs", 9)] },
  { id: "secret-assignment-env", text: `Server=db;Database=acme;User Id=app;Password=${fake("ado", 12)};`, secrets: [fake("ado", 12)] },
  { id: "secret-assignment-line", text: `services:\n  db:\n    environment:\n      POSTGRES_PASSWORD: ${fake("yml", 10)}7\n`, secrets: [`${fake("yml", 10)}7`] },
  { id: "secret-assignment-line", text: `[default]\naws_session_token = ${sessionToken}\n`, secrets: [sessionToken] },
  { id: "secret-assignment-line", text: `  - api_key: my api key 2 # rotate monthly`, secrets: ["my api key 2"] },
];

interface Negative {
  text: string;
  why: string;
}

const cloudTrailRecord = JSON.stringify({
  eventVersion: "1.09",
  userIdentity: { type: "AssumedRole", principalId: "AROAEXAMPLEID:agent", arn: "arn:aws:sts::111122223333:assumed-role/agent/s1", accountId: "111122223333", accessKeyId: asia },
  eventSource: "s3.amazonaws.com",
  eventName: "DeleteObject",
  requestParameters: { bucketName: "acme-prod", key: "exports/2026-10.csv" },
});

// prettier-ignore
const NEGATIVE: Negative[] = [
  { text: cloudTrailRecord, why: "a bare ASIA access key id in a CloudTrail identity is needed for attribution" },
  { text: JSON.stringify({ eventName: "CreateAccessKey", responseElements: { accessKey: { accessKeyId: akia, status: "Active", userName: "ci" } } }), why: "an AKIA id without its secret (CloudTrail omits the secret)" },
  { text: JSON.stringify({ lookup: [{ AccessKeyId: akia, EventName: "PutObject", Username: "ci" }] }), why: "lookup-events output names the key id only" },
  { text: `commit ${hex("sha", 40)}\nMerge: ${hex("m1", 7)} ${hex("m2", 7)}`, why: "git SHAs are 40 hex characters" },
  { text: `request 3f2b8c1e-9a4d-4e7b-b6a1-0c5d2e8f7a93 finished`, why: "UUIDs" },
  { text: `<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk${b64("png", 60)}">`, why: "base64 image data" },
  { text: `sha256:${hex("digest", 64)}  dist/evidence.tgz`, why: "content digests" },
  { text: "Reset your password from the account page; the password must have 12 characters.", why: "password as a word in prose" },
  { text: "TOKEN_URL=https://auth.example.com/oauth/token", why: "name does not end with TOKEN" },
  { text: "interface Login {\n  username: string;\n  password: string;\n  token?: string\n}", why: "TypeScript types" },
  { text: "const token = await getToken();\nself.password = password\nconnect(host, password=password)", why: "code passing variables around" },
  { text: "PASSWORD=$DB_PASSWORD\nAPI_KEY=${OPENAI_API_KEY}\ntoken: ${{ secrets.NPM_TOKEN }}\nsecret: {{ .Values.secret }}\nexport GITHUB_TOKEN=\"$(gh auth token)\"", why: "references to secrets are not secrets" },
  { text: JSON.stringify({ nextToken: "AAAAbbbb1234", clientToken: "c0ffee-1234", maxResults: 50 }), why: "pagination and idempotency tokens in CloudTrail requestParameters" },
  { text: JSON.stringify({ eos_token: "</s>", pad_token: "[PAD]", input_tokens: 1200, max_tokens: 4096 }), why: "tokenizer and usage fields" },
  { text: `Authorization: AWS4-HMAC-SHA256 Credential=${akia}/20261014/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=${hex("sig", 64)}`, why: "SigV4 signatures are short-lived and carry the key id attribution needs" },
  { text: "git clone ssh://git@github.com:22/acme/api.git && git remote add o git@github.com:acme/api.git && open http://localhost:8080/a@b", why: "URLs without a password" },
  { text: "The bearer of this letter; Bearer authentication is described in RFC 6750.", why: "bearer in prose" },
  { text: "SORT_KEY=created_at PRIMARY_KEY=id PUBLIC_KEY=ssh-ed25519 KMS_KEY=arn:aws:kms:eu-west-1:111122223333:key/1234 ACCESS_KEY=none", why: "*_KEY names that are not secrets" },
  { text: JSON.stringify({ userName: "HIDDEN_DUE_TO_SECURITY_REASONS", password: "HIDDEN_DUE_TO_SECURITY_REASONS" }), why: "CloudTrail already hid the value" },
  { text: "Password: ********\nsecret: <your-secret-here>\nPASSWORD=\"\"", why: "masks, placeholders and empty values" },
  { text: "slack: use xoxb-my-bot-token in the docs; key sk-ant-api03-tooShort; eyJhbGciOiJIUzI1NiJ9 alone", why: "prefixes without a real token" },
  { text: "Skipped 3 tests; 120 passed. Compass bypass ok. use_secrets: true, has_token: false", why: "pass/secret/token inside other words or with booleans" },
  { text: "already redacted: [REDACTED:jwt:1a2b3c4d] and PASSWORD=[REDACTED:secret-assignment-env:0badc0de]", why: "our own placeholders" },
  { text: "Co-authored-by: Claude <noreply@anthropic.com>\nSigned-off-by: Dev <dev@example.com>", why: "commit trailers" },
  { text: JSON.stringify({ clientRequestToken: "3f2b8c1e-9a4d-4e7b-b6a1-0c5d2e8f7a93", stackName: "api" }), why: "a CloudFormation/EKS idempotency token (UUID) is not a secret" },
  { text: JSON.stringify({ name: "acl", scope: "REGIONAL", id: "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", lockToken: "6b1c9e2a-3f4d-4a5b-8c6d-7e8f9a0b1c2d" }), why: "a WAF lockToken is an optimistic-lock id" },
  { text: "clientRequestToken: 3f2b8c1e-9a4d-4e7b-b6a1-0c5d2e8f7a93\nChangeToken = abcd1234-0000-4000-a000-000000000001", why: "the same tokens as YAML/INI lines" },
  { text: "const stripe = Stripe('pk_live_51H8abcDEFghiJKLmnoPQRstu'); docker run -p 8080:80 nginx; mysql -u root -p acme; psql --no-password acme", why: "publishable keys, port flags, a password prompt, --no-password" },
  { text: "curl -u admin https://x; curl -u \"$USER:$PASS\" https://y; docker login --password-stdin < pw.txt; sshpass -p $SSHPASS ssh h", why: "no password given, or given through a variable or stdin" },
  { text: "git log --format=%H -n 1 && task-runner run; mask-off; SKIP=1; ASK-AGAIN", why: "sk- and SK in ordinary words" },
  { text: JSON.stringify({ environment: [{ name: "TOKENIZERS_PARALLELISM", value: "false" }, { name: "PWD", value: "/srv/app" }, { name: "SECRET_ARN", value: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf" }, { name: "NEXT_TOKEN", value: "abc123" }] }), why: "names that are not secret, or whose value locates the secret" },
  { text: JSON.stringify({ environmentVariables: [{ name: "DB_PASSWORD", value: "/prod/db/password", type: "PARAMETER_STORE" }, { name: "API_TOKEN", value: "prod/api-token", type: "SECRETS_MANAGER" }] }), why: "CodeBuild variables that reference a secret store" },
  { text: "ops@acme.example pushed 9fceb02d0ae598e95dc970b74767f19372d61af8 (eventID 5ec7e75e-0000-4000-a000-000000000001) in arn:aws:iam::111122223333:role/ci", why: "emails, commit SHAs, eventIDs and ARNs are evidence" },

];

function check(redactor: ReturnType<typeof createRedactor>, c: Positive): string {
  const out = redactor.redact(c.text);
  for (const secret of c.secrets) {
    assert.ok(!out.includes(secret), `${c.id}: secret still present in ${JSON.stringify(out)}`);
    assert.ok(out.includes(placeholder(c.id, secret)), `${c.id}: expected ${placeholder(c.id, secret)} in ${JSON.stringify(out)}`);
  }
  return out;
}

test("true positives: each secret is replaced by its pattern id and short hash", () => {
  const redactor = createRedactor();
  for (const c of POSITIVE) check(redactor, c);
});

test("every default pattern has at least two true positives", () => {
  const patterns = loadDefaultPatterns();
  for (const p of patterns) {
    const n = POSITIVE.filter((c) => c.id === p.id).length;
    assert.ok(n >= 2, `${p.id} has ${n} positive cases`);
    assert.ok(p.description && p.source && p.keywords?.length, `${p.id} needs a description, a source and keywords`);
  }
  assert.equal(new Set(patterns.map((p) => p.id)).size, patterns.length, "pattern ids are unique");
  console.log(`redaction: ${patterns.length} patterns, ${POSITIVE.length} positive and ${NEGATIVE.length} negative cases tested`);
});

test("false positives: ordinary log content is left alone", () => {
  const redactor = createRedactor();
  for (const c of NEGATIVE) assert.equal(redactor.redact(c.text), c.text, c.why);
  assert.equal(redactor.total(), 0);
});

test("the surrounding text is kept", () => {
  const redactor = createRedactor();
  assert.equal(
    redactor.redact(`AWS_ACCESS_KEY_ID=${akia} AWS_SECRET_ACCESS_KEY=${awsSecret} aws s3 ls`),
    `AWS_ACCESS_KEY_ID=${placeholder("aws-access-key-id", akia)} AWS_SECRET_ACCESS_KEY=${placeholder("aws-secret-access-key", awsSecret)} aws s3 ls`,
  );
  assert.equal(redactor.redact(`psql postgres://app:${fake("pg", 16)}@db:5432/x`), `psql postgres://app:${placeholder("url-password", fake("pg", 16))}@db:5432/x`);
});

test("the same secret gets the same placeholder wherever it appears, a different one another", () => {
  const redactor = createRedactor();
  const a = redactor.redact(`GITHUB_TOKEN=${ghp}`);
  const b = redactor.redact(`git push https://x:${ghp}@github.com/acme/api`);
  const c = redactor.redact(`GITHUB_TOKEN=${gho}`);
  const tag = placeholder("github-token", ghp);
  assert.ok(a.includes(tag) && b.includes(tag));
  assert.ok(!c.includes(tag));
});

test("redaction is idempotent", () => {
  const redactor = createRedactor();
  for (const text of [...POSITIVE.map((c) => c.text), ...NEGATIVE.map((c) => c.text)]) {
    const once = redactor.redact(text);
    assert.equal(redactor.redact(once), once, text);
  }
  const value = { env: { DB_PASSWORD: "hunter2!" }, cmd: [`AWS_SECRET_ACCESS_KEY=${awsSecret}`, "aws", "s3", "ls"] };
  const once = redactor.redactDeep(value);
  assert.deepEqual(redactor.redactDeep(once), once);
});

test("redactDeep walks nested JSON, keeps keys and non-strings, and uses keys as context", () => {
  const redactor = createRedactor();
  const input = {
    tool_name: "Bash",
    tool_input: { command: `curl -H "Authorization: Bearer ${jwt("d")}" https://api`, timeout: 120 },
    env: { DB_PASSWORD: "two words", NODE_ENV: "production", retries: 3, debug: false, none: null },
    // A credentials object: the key id is beside its secret, so both go.
    creds: { AccessKeyId: asia, SecretAccessKey: awsSecret2 },
    // A CloudTrail identity: the key id is alone and stays.
    userIdentity: { type: "AssumedRole", accessKeyId: asia },
    argv: ["aws", "configure", "set", "aws_secret_access_key", awsSecret],
    nested: [[{ deeper: [{ api_key: "k-" + fake("deep", 20) }] }]],
  };
  const snapshot = structuredClone(input);
  const out = redactor.redactDeep(input);
  assert.deepEqual(input, snapshot, "the input is not mutated");
  assert.deepEqual(out, {
    tool_name: "Bash",
    tool_input: { command: `curl -H "Authorization: Bearer ${placeholder("jwt", jwt("d"))}" https://api`, timeout: 120 },
    env: { DB_PASSWORD: placeholder("secret-assignment-line", "two words"), NODE_ENV: "production", retries: 3, debug: false, none: null },
    creds: { AccessKeyId: placeholder("aws-access-key-id", asia), SecretAccessKey: placeholder("aws-secret-access-key", awsSecret2) },
    userIdentity: { type: "AssumedRole", accessKeyId: asia },
    argv: ["aws", "configure", "set", "aws_secret_access_key", placeholder("aws-secret-access-key", awsSecret)],
    nested: [[{ deeper: [{ api_key: placeholder("secret-assignment-line", "k-" + fake("deep", 20)) }] }]],
  });
});

test("redactDeep copes with hostile shapes: deep nesting, __proto__ keys, non-JSON objects", () => {
  const redactor = createRedactor();
  let deep: unknown = `PASSWORD=${fake("deepest", 10)}`;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  let inner: unknown = redactor.redactDeep(deep);
  let depth = 0;
  while (Array.isArray(inner)) [inner, depth] = [inner[0], depth + 1];
  assert.equal(depth, 100_000);
  assert.equal(inner, `PASSWORD=${placeholder("secret-assignment-env", fake("deepest", 10))}`);

  const proto = redactor.redactDeep(JSON.parse('{"__proto__": {"password": "p4ss-word"}}') as Record<string, unknown>);
  assert.deepEqual(Object.keys(proto), ["__proto__"]);
  assert.equal(Object.getPrototypeOf(proto), Object.prototype);
  assert.equal(JSON.stringify(proto), `{"__proto__":{"password":"${placeholder("secret-assignment-line", "p4ss-word")}"}}`);

  const when = new Date(0);
  assert.equal(redactor.redactDeep({ when }).when, when);
});

test("counts() and total() report redacted values per pattern", () => {
  const redactor = createRedactor();
  redactor.redact(`GITHUB_TOKEN=${ghp} and again ${ghp}`);
  redactor.redact(`AWS_ACCESS_KEY_ID=${akia} AWS_SECRET_ACCESS_KEY=${awsSecret}`);
  redactor.redactDeep({ a: { DB_PASSWORD: "x9y8z7" }, b: cloudTrailRecord });
  assert.deepEqual(redactor.counts(), { "github-token": 2, "aws-access-key-id": 1, "aws-secret-access-key": 1, "secret-assignment-line": 1 });
  assert.equal(redactor.total(), 5);
  const fresh = createRedactor();
  assert.deepEqual(fresh.counts(), {});
  assert.equal(fresh.total(), 0);
});

test("a user pattern from the config is applied and counted under its id", () => {
  const extra: RedactionPattern = {
    id: "acme-internal-token",
    description: "Acme service tokens",
    regex: "acme_tok_([a-z0-9]{16})",
    group: 1,
    keywords: ["acme_tok_"],
  };
  const redactor = createRedactor([extra]);
  const secret = fake("acme", 16).toLowerCase();
  assert.equal(redactor.redact(`using acme_tok_${secret} now`), `using acme_tok_${placeholder("acme-internal-token", secret)} now`);
  assert.equal(redactor.counts()["acme-internal-token"], 1);
  // Without keywords the pattern runs on every string, and it still never re-redacts a placeholder.
  const hexy = createRedactor([{ id: "hex8", description: "any 8 hex digits", regex: "\\b[0-9a-f]{8}\\b" }]);
  const once = hexy.redact("build deadbeef done");
  assert.equal(once, `build ${placeholder("hex8", "deadbeef")} done`);
  assert.equal(hexy.redact(once), once);
  // Defaults still apply next to user patterns.
  assert.ok(redactor.redact(`GITHUB_TOKEN=${ghp}`).includes(placeholder("github-token", ghp)));
});

test("an invalid user pattern throws an error naming it", () => {
  const base = { description: "x" };
  assert.throws(() => createRedactor([{ ...base, id: "acme-broken", regex: "(unclosed" }]), /redaction pattern "acme-broken": invalid regex/);
  assert.throws(() => createRedactor([{ ...base, id: "acme-group", regex: "a(b)", group: 2 }]), /"acme-group": group 2 does not exist/);
  assert.throws(() => createRedactor([{ ...base, id: "acme-empty", regex: "x*" }]), /"acme-empty": regex matches the empty string/);
  assert.throws(() => createRedactor([{ ...base, id: "acme-flags", regex: "x", flags: "gy" }]), /"acme-flags": flags "gy" not allowed/);
  assert.throws(() => createRedactor([{ ...base, id: "jwt", regex: "x" }]), /"jwt": id is already used/);
  assert.throws(() => createRedactor([{ ...base, id: "bad id!", regex: "x" }]), /"bad id!": id must be/);
});

test("redactDeep returns a record with nothing to redact as it is, and still finds a secret named only by its key", () => {
  const r = createRedactor();
  const clean = { tool: "Shell", command: "npm test", attrs: { cwd: "/srv/app", argv: ["npm", "test"], nested: [{ n: 1 }] } };
  assert.equal(r.redactDeep(clean), clean, "no copy when no string or key passes the prefilter");
  const keyOnly = { tool: "Shell", attrs: { env: { DB_PASSWORD: "hunter2-Zx81" } } };
  const out = r.redactDeep(keyOnly);
  assert.notEqual(out, keyOnly);
  assert.match(out.attrs.env.DB_PASSWORD, /^\[REDACTED:/);
  assert.equal(keyOnly.attrs.env.DB_PASSWORD, "hunter2-Zx81", "the input is not modified");
});

test("the keyword gate finds a keyword in any ASCII case, anywhere, and folds non-ASCII keywords as /i does", () => {
  const r = createRedactor();
  for (const text of ["export PASSWORD=x", "Authorization: Bearer abc", "see https://host/x", "x-Api-Key: 1", "TOKEN", "my_SeCrEt_thing"]) {
    assert.equal(r.mayHoldSecret(text), true, text);
  }
  for (const text of ["npm test", "kubectl get pods -n staging", "", "ǅ ſ ı"]) assert.equal(r.mayHoldSecret(text), false, text);
  // A user keyword outside ASCII: matched case-insensitively like the regex flag would.
  const german = createRedactor([{ id: "kennwort", description: "test", regex: "kennwörter=(\\S+)", group: 1, keywords: ["kennwörter"] }]);
  assert.equal(german.mayHoldSecret("KENNWÖRTER=abc"), true);
  assert.equal(german.mayHoldSecret("Kennworter=abc"), false);
  assert.match(german.redact("kennwörter=abc123"), /^kennwörter=\[REDACTED:kennwort:/);
});

test("real CloudTrail idempotency, lock and change tokens are kept; a secret planted beside them is still redacted", () => {
  const fixture = JSON.parse(readFileSync(new URL("../fixtures/redact/cloudtrail-tokens.json", import.meta.url), "utf8")) as { Records: Record<string, unknown>[] };
  const redactor = createRedactor();
  for (const record of fixture.Records) assert.deepEqual(redactor.redactDeep(record), record, String(record.eventName));
  assert.equal(redactor.total(), 0);
  const planted = { ...fixture.Records[0]!, requestParameters: { clientRequestToken: "3f2b8c1e-9a4d-4e7b-b6a1-0c5d2e8f7a93", parameters: [{ ParameterKey: "DbPassword", ParameterValue: "x9-planted" }], sessionToken: sessionToken } };
  const out = JSON.stringify(redactor.redactDeep(planted));
  assert.ok(out.includes("3f2b8c1e-9a4d-4e7b-b6a1-0c5d2e8f7a93") && !out.includes(sessionToken) && !out.includes("x9-planted"), out);
});

test("{name, value} pairs: the value is redacted when the name looks secret, in any of the pair spellings", () => {
  const redactor = createRedactor();
  const secret = fake("pair", 14);
  const out = redactor.redactDeep({
    containerDefinitions: [{ name: "api", environment: [{ name: "DB_PASSWORD", value: secret }, { name: "MODE", value: "prod" }] }],
    environmentVariables: [{ name: "npmToken", value: secret, type: "PLAINTEXT" }],
    tags: [{ Key: "stripeApiKey", Value: secret }, { Key: "team", Value: "payments" }],
    parameters: [{ key: "client-secret", value: secret }],
    stack: [{ ParameterKey: "DbPassword", ParameterValue: secret }, { parameterKey: "Env", parameterValue: "prod" }],
  });
  const tag = placeholder("secret-named-value", secret);
  assert.deepEqual(out, {
    containerDefinitions: [{ name: "api", environment: [{ name: "DB_PASSWORD", value: tag }, { name: "MODE", value: "prod" }] }],
    environmentVariables: [{ name: "npmToken", value: tag, type: "PLAINTEXT" }],
    tags: [{ Key: "stripeApiKey", Value: tag }, { Key: "team", Value: "payments" }],
    parameters: [{ key: "client-secret", value: tag }],
    stack: [{ ParameterKey: "DbPassword", ParameterValue: tag }, { parameterKey: "Env", parameterValue: "prod" }],
  });
  assert.equal(redactor.counts()["secret-named-value"], 5);
});
