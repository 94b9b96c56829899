import type { Db } from "../../src/store/index.ts";

/** The store with every SQL text it is asked to prepare pushed to `prepared`: for tests that count the reads a step makes. */
export function recording(db: Db, prepared: string[]): Db {
  return new Proxy(db, {
    get(target, key) {
      if (key === "prepare") return (sql: string) => (prepared.push(sql), target.prepare(sql));
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
