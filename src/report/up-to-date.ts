import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { buildResults, newestBuild, type StoredResults } from "../history.ts";
import type { Period } from "../period.ts";
import type { Db } from "../store/index.ts";
import { MANIFEST_FILE, verifyPackage } from "./verify-package.ts";

/**
 * Incremental builds (README, "Incremental builds"): a rebuild of a period whose inputs did not change need not
 * evaluate and render again when the package it would write is already there, intact. The build
 * id hashes every input (source files, config, workspace catalog, registers and templates, period,
 * tool version); what else shapes the package is checked here:
 * - the store's last build is this one, so nothing has been built since (another period's build
 *   changes the previous-period comparison and the coverage trend the report shows, and re-derives
 *   the production changes for its own period);
 * - the package at --out carries the same build id and generation time and still matches its
 *   manifest (every file re-hashed);
 * - it is not to be signed (a signature depends on the key given; signed builds always render).
 * Anything else, and the build runs in full.
 */
export type UpToDate = { upToDate: true; results: StoredResults } | { upToDate: false; reason: string };

export function packageUpToDate(db: Db, check: { buildId: string; period: Period; outDir: string; generatedAt: string; signing: boolean; includeStore?: boolean }): UpToDate {
  if (check.signing) return { upToDate: false, reason: "signing" };
  // The store changes with every build (its builds table), so a package carrying a copy is always rewritten.
  if (check.includeStore) return { upToDate: false, reason: "the store is included" };
  const last = newestBuild(db);
  if (!last || last.buildId !== check.buildId || last.period !== check.period.label) return { upToDate: false, reason: "inputs or history changed since the last build" };
  const manifestFile = path.join(check.outDir, MANIFEST_FILE);
  if (!existsSync(manifestFile)) return { upToDate: false, reason: "no package at the output folder" };
  let manifest: { buildId?: unknown; generatedAt?: unknown };
  try {
    manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as typeof manifest;
  } catch {
    return { upToDate: false, reason: "unreadable manifest" };
  }
  if (manifest.buildId !== check.buildId || manifest.generatedAt !== check.generatedAt) return { upToDate: false, reason: "the package at the output folder is another build" };
  if (!verifyPackage(check.outDir).intact) return { upToDate: false, reason: "the package at the output folder was changed" };
  return { upToDate: true, results: buildResults(db, last.id) };
}

/** The workspace's memo templates (they shape the package, so they are inputs of the build id). */
export function workspaceTemplateFiles(root: string): { path: string; sha256: string; size: number }[] {
  const dir = path.join(root, "templates");
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .sort()
    .map((file) => {
      const bytes = readFileSync(file);
      return { path: path.relative(root, file).split(path.sep).join("/"), sha256: createHash("sha256").update(bytes).digest("hex"), size: bytes.length };
    });
}
