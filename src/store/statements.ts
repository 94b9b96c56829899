import type Database from "better-sqlite3";

/**
 * Prepared statements kept per connection. A FileWriter (and its ObservationIndex) is made per
 * input file, and preparing their dozen statements anew each time was, in a CPU profile of 500
 * CloudTrail delivery files, about 1 ms a file of the single writer's time. Statements from here
 * are shared, so callers must not switch their modes (raw, pluck, expand).
 */
const caches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export function cachedStatement(db: Database.Database, sql: string): Database.Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement;
}
