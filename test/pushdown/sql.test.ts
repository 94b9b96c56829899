import { test } from "node:test";
import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config.ts";
import { parsePeriod } from "../../src/period.ts";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { LAKE_MAX_QUERY_CHARS } from "../../src/commands/pushdown.ts";
import { classedCalls, READ_VERBS } from "../../src/iam/call-classes.ts";
import { compactNames, globRegex, keepPredicate, pushdownQueries } from "../../src/pushdown/sql.ts";
import { runMain } from "../helpers/cli-main.ts";

const config = (extra = "") =>
  parseConfigText(
    `organisation: { name: T }
agents:
  - { id: ops, product: kiro, match: { awsRoles: ["arn:aws:iam::*:role/ai-agent-*"], userAgentMarkers: ["App/Claude-Code"] } }
${extra}`,
    "t.yaml",
  );

test("config globs become anchored case-insensitive regexes: * stays within a path segment, ** crosses it", () => {
  const re = (g: string) => new RegExp(globRegex(g).replace("(?i)", ""), "i");
  assert.ok(re("arn:aws:iam::*:role/ai-agent-*").test("ARN:aws:iam::111122223333:role/AI-agent-ops"));
  assert.ok(!re("arn:aws:iam::*:role/ai-agent-*").test("arn:aws:iam::1:role/team/ai-agent-ops"));
  assert.ok(re("arn:aws:iam::*:role/**").test("arn:aws:iam::1:role/team/ai-agent-ops"));
  assert.ok(re("kiro-?").test("kiro-7") && !re("kiro-?").test("kiro-77"));
  assert.equal(globRegex("a.b(c)"), "(?i)^a\\.b\\(c\\)$");
});

test("Athena SQL: partition projection, ISO time strings, lower-case struct columns, one NULL-safe predicate splitting the calls", () => {
  const q = pushdownQueries(config(), parsePeriod("2026-10"), "athena");
  assert.match(q.fullRows, /FROM cloudtrail_logs_pp\nWHERE "timestamp" BETWEEN '2026\/10\/01' AND '2026\/11\/02'/);
  assert.match(q.fullRows, /eventtime >= '2026-10-01T00:00:00Z' AND eventtime < '2026-11-01T00:00:00Z'/);
  assert.match(q.fullRows, /regexp_like\(useridentity\.sessioncontext\.sessionissuer\.arn, '\(\?i\)\^arn:aws:iam::\[\^\/\]\*:role\/ai-agent-\[\^\/\]\*\$'\)/);
  assert.match(q.fullRows, /strpos\(lower\(useragent\), 'app\/claude-code'\) > 0/);
  const keep = keepPredicate(config(), "athena").sql;
  assert.ok(keep.startsWith("coalesce((") && keep.endsWith("), false)"), "NULL-safe: a call is in exactly one of the two results");
  assert.ok(q.fullRows.includes(`AND ${keep}\n`) && q.usedActions.includes(`AND NOT ${keep}\n`));
  assert.match(q.usedActions, /'used-actions\/1' AS evidence_pushdown, 'UTC' AS time_zone,\n  substr\(eventtime, 1, 10\) AS day/);
  assert.match(q.usedActions, /count\(\*\) AS calls, min\(eventtime\) AS first_time, max\(eventtime\) AS last_time/);
});

test("Lake SQL: the event data store, camelCase fields, timestamps, sourceIdentity available", () => {
  const q = pushdownQueries(config(), parsePeriod("2026-10", "Europe/Berlin"), "lake", "EXAMPLE-eds");
  assert.match(q.fullRows, /FROM EXAMPLE-eds\nWHERE eventTime >= '2026-09-30 22:00:00' AND eventTime < '2026-10-31 23:00:00'/);
  assert.match(q.fullRows, /userIdentity\.sessionContext\.sessionIssuer\.arn/);
  assert.match(q.usedActions, /date_format\(eventTime AT TIME ZONE 'Europe\/Berlin', '%Y-%m-%d'\) AS day/);
});

test("what a table cannot express is kept in full, and said so; full storage keeps everything", () => {
  const withSourceIds = parseConfigText(
    `organisation: { name: T }
agents:
  - { id: dev, product: claude-code, match: { awsSourceIdentities: ["*@acme.example"] } }
`,
    "t.yaml",
  );
  const athena = keepPredicate(withSourceIds, "athena");
  assert.match(athena.sql, /useridentity\.type = 'AssumedRole'/);
  assert.match(athena.notes.join(" "), /no sourceIdentity column/);
  const lake = keepPredicate(withSourceIds, "lake");
  assert.match(lake.sql, /regexp_like\(userIdentity\.sessionContext\.sourceIdentity/);
  assert.doesNotMatch(lake.sql, /= 'AssumedRole'/);
  assert.match(keepPredicate(config("storage: { cloudtrail: { mode: full } }"), "athena").sql, /^coalesce\(\(\(TRUE\)/);
});

test("Lake queries stay under CloudTrail Lake's 10,000-character limit, and the compacted event names still select every listed name", () => {
  const q = pushdownQueries(config(), parsePeriod("2026-10"), "lake");
  for (const sql of [q.fullRows, q.usedActions]) assert.ok(sql.length <= LAKE_MAX_QUERY_CHARS, `a Lake query is ${sql.length} characters`);
  const m = classedCalls(["privilege-change", "destructive", "credential-access", "irreversible", "logging-tamper"]);
  const { keywords, listed } = compactNames(m.eventNames, m.eventNamePatterns);
  assert.ok(listed.length < m.eventNames.length / 2, "most names are reached by keywords");
  const patterns = m.eventNamePatterns.map((p) => new RegExp(p.replace(/^\(\?i\)/, ""), "i"));
  const byKeyword = new RegExp(keywords.join("|"));
  const readVerb = new RegExp(`^(${READ_VERBS.join("|").toLowerCase()})`);
  const missed = m.eventNames.filter((n) => !listed.includes(n) && !patterns.some((re) => re.test(n)) && !(byKeyword.test(n) && !readVerb.test(n)));
  assert.deepEqual(missed, [], "every name the ingest may keep is still selected");
});

test("a Lake query over Lake's limit is refused with exit 2, naming the config and what to change", async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), "pushdown-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const roles = Array.from({ length: 80 }, (_, i) => `"arn:aws:iam::*:role/agent-role-number-${i}-*"`).join(", ");
  const file = path.join(dir, "evidence.config.yaml");
  writeFileSync(file, `organisation: { name: T }\nagents:\n  - { id: ops, product: kiro, match: { awsRoles: [${roles}] } }\n`);
  const r = await runMain(["pushdown", "lake", "--config", file, "--period", "2026-10"]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /evidence\.config\.yaml: the CloudTrail Lake query for calls kept one by one is \d+ characters, over Lake's limit of 10000/);
  assert.equal((await runMain(["pushdown", "athena", "--config", file, "--period", "2026-10"])).status, 0, "Athena has no such limit");
});
