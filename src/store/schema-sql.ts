import Database from "better-sqlite3";
import { MIGRATIONS } from "./migrations.ts";

/** The order the schema lists its objects in: what the others refer to first. */
const TYPES = ["table", "index", "trigger", "view"] as const;

/**
 * The current schema as one SQL text (src/store/schema.sql): every migration applied in order to
 * an empty in-memory database, as `migrate` applies them to a store. The migrations stay the
 * source of truth; this is the one place to read what they add up to, so a reader does not replay
 * a dozen ALTER TABLEs in their head.
 */
export function schemaSql(migrations: readonly string[] = MIGRATIONS): string {
  const db = new Database(":memory:");
  try {
    for (const m of migrations) db.exec(m);
    return schemaOf(db, migrations.length);
  } finally {
    db.close();
  }
}

/**
 * A database's tables, indexes, triggers and views as SQLite records them in `sqlite_master`
 * (https://www.sqlite.org/schematab.html), each kind sorted by name, under a header naming the
 * schema version. Objects SQLite makes itself (`sqlite_%`, and the automatic indexes behind
 * UNIQUE and PRIMARY KEY constraints, whose `sql` is NULL) are left out.
 */
export function schemaOf(db: Database.Database, version: number): string {
  const rows = db
    .prepare("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    .all() as { type: string; name: string; sql: string }[];
  const unknown = rows.filter((r) => !(TYPES as readonly string[]).includes(r.type));
  if (unknown.length) throw new Error(`sqlite_master holds objects of an unexpected type: ${unknown.map((r) => `${r.type} ${r.name}`).join(", ")}`);
  const rank = (type: string) => (TYPES as readonly string[]).indexOf(type);
  const ordered = rows.sort((a, b) => rank(a.type) - rank(b.type) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header = [
    "-- The current schema of the evidence store, generated from src/store/migrations.ts: do not edit.",
    "-- Regenerate with `npm run schema` after adding a migration (test/store/schema.test.ts fails until then).",
    `-- Schema version ${version} (PRAGMA user_version). Tables, then indexes, triggers and views, each sorted by name.`,
  ].join("\n");
  return `${header}\n\n${ordered.map((r) => `${tidy(r.sql)};\n`).join("\n")}`;
}

/**
 * The statement as SQLite stored it, without the indentation it had inside the migration's
 * template literal and without trailing spaces. SQLite keeps the text from CREATE to the end of
 * the statement, comments included; an ALTER TABLE … ADD COLUMN splices the new column into it.
 */
function tidy(sql: string): string {
  const lines = sql.split("\n").map((l) => l.trimEnd());
  const rest = lines.slice(1).filter((l) => l.trim() !== "");
  const cut = rest.length ? Math.min(...rest.map((l) => l.length - l.trimStart().length)) : 0;
  return [lines[0]!, ...lines.slice(1).map((l) => l.slice(Math.min(cut, l.length - l.trimStart().length)))].join("\n");
}
