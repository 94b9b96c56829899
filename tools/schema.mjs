// Writes src/store/schema.sql, the current schema of the store, from the migrations
// (src/store/schema-sql.ts). Run as `npm run schema`, which loads tsx: the migrations are TypeScript.
import { writeFileSync } from "node:fs";
import { schemaSql } from "../src/store/schema-sql.ts";

const file = new URL("../src/store/schema.sql", import.meta.url);
writeFileSync(file, schemaSql());
console.log("wrote src/store/schema.sql");
