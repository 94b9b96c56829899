import { test } from "node:test";
import assert from "node:assert/strict";
import { parseConfigText } from "../../src/config.ts";
import { parsePeriod } from "../../src/period.ts";
import { globRegex, keepPredicate, pushdownQueries } from "../../src/pushdown/sql.ts";

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
