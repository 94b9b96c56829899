import { rmSync } from "node:fs";
import path from "node:path";
import { openStore, type Db } from "../../src/store/index.ts";
import { tempDir } from "./workspace.ts";

/**
 * A fresh store (evidence.db in a temp folder, `dir`, free for a test's outputs too) holding one
 * source file (id 1) of `kind` at `file`, for tests that insert event rows by hand; the connection
 * is closed and the folder removed after the test.
 */
export function oneFileStore(t: { after(fn: () => void): void }, kind: string, file = "f"): { db: Db; dir: string } {
  const dir = tempDir("evidence-store-");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = openStore(path.join(dir, "evidence.db"));
  t.after(() => db.close());
  db.prepare(
    "INSERT INTO source_files (source, path, kind, sha256, size, parser, parser_version, context_hash, ingested_at) VALUES ('s', ?, ?, 'x', 1, 'p', '1', 'c', 'now')",
  ).run(file, kind);
  return { db, dir };
}
