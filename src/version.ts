import { readFileSync } from "node:fs";

/** The package's version, read from its package.json (one folder up from src/ and from dist/ alike). */
export const TOOL_VERSION: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
