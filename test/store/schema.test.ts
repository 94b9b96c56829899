import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT, tempDir } from "../helpers/workspace.ts";
import { openStore } from "../../src/store/index.ts";
import { MIGRATIONS } from "../../src/store/migrations.ts";
import { schemaOf, schemaSql } from "../../src/store/schema-sql.ts";

const SCHEMA_FILE = path.join(REPO_ROOT, "src", "store", "schema.sql");

/** The first line where two texts differ, for a message that points at it. */
function firstDifference(a: string, b: string): string {
  const x = a.split("\n");
  const y = b.split("\n");
  const i = x.findIndex((line, n) => line !== y[n]);
  const at = i < 0 ? x.length : i;
  return `line ${at + 1}: committed ${JSON.stringify(x[at] ?? "(end of file)")}, migrations give ${JSON.stringify(y[at] ?? "(end of file)")}`;
}

test("src/store/schema.sql is the schema the migrations add up to", () => {
  const committed = readFileSync(SCHEMA_FILE, "utf8");
  const current = schemaSql();
  assert.ok(committed === current, `src/store/schema.sql is out of date: run \`npm run schema\` and commit it (${firstDifference(committed, current)})`);
});

test("the generated schema is the one a store opened by openStore has", (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = openStore(path.join(dir, "evidence.db"));
  try {
    assert.equal(db.pragma("user_version", { simple: true }), MIGRATIONS.length);
    assert.equal(schemaOf(db, MIGRATIONS.length), schemaSql());
  } finally {
    db.close();
  }
});

test("a migration that adds a column changes the schema text", () => {
  const more = schemaSql([...MIGRATIONS, "ALTER TABLE events ADD COLUMN reviewed_by TEXT;"]);
  assert.notEqual(more, schemaSql());
  assert.match(more, /^CREATE TABLE events \([^;]*reviewed_by TEXT/m);
  assert.match(more, new RegExp(`Schema version ${MIGRATIONS.length + 1} `));
});

test("the schema lists tables, then indexes, triggers and views, each by name, without SQLite's own objects", () => {
  const sql = schemaSql([
    `CREATE TABLE b (x TEXT UNIQUE);
     CREATE VIEW v AS SELECT x FROM b;
     CREATE TABLE a (id INTEGER PRIMARY KEY AUTOINCREMENT, y TEXT);
     CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;
     CREATE INDEX j ON b(x);
     CREATE INDEX i ON a(y);`,
  ]);
  const objects = [...sql.matchAll(/^CREATE (\w+) (\w+)/gm)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(objects, ["TABLE a", "TABLE b", "INDEX i", "INDEX j", "TRIGGER t", "VIEW v"]);
  assert.doesNotMatch(sql, /sqlite_/);
  assert.match(sql, /^-- .*generated from src\/store\/migrations\.ts: do not edit\.\n-- Regenerate with `npm run schema`/);
});
