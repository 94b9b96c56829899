import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { InputError, UsageError } from "../errors.ts";

/**
 * Helpers for writing the evidence package safely: names that come from data cannot leave the
 * output folder, and the temporary folders a killed run leaves beside it are cleaned up by the next.
 * The package itself is written to `<out>.tmp-<pid>` and renamed into place (src/report/index.ts).
 */

/**
 * A file name built from data (a rule id, a policy title) reduced to one safe path segment: no
 * separators, no `..`, no leading dot, no control characters, at most 100 characters.
 */
export function safeFileName(name: string): string {
  const cleaned = name
    .normalize("NFKC")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[.-]+/, "")
    .replace(/-+$/, "")
    .slice(0, 100);
  return cleaned === "" ? "unnamed" : cleaned;
}

/** Resolves a package-relative path, refusing one that would land outside `dir` (`../`, absolute, drive letters). */
export function insideDir(dir: string, relPath: string): string {
  const root = path.resolve(dir);
  const full = path.resolve(root, relPath);
  if (path.isAbsolute(relPath) || !full.startsWith(root + path.sep)) {
    throw new InputError(`refusing to write "${relPath}": it would land outside the output folder ${root}`);
  }
  return full;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const SIBLING = /^(.*)\.(tmp|old)-(\d+)$/;

/**
 * Removes `<out>.tmp-<pid>` and `<out>.old-<pid>` folders left by runs that were killed (their pid
 * no longer runs). A run killed between its two renames leaves the previous package only as
 * `.old-<pid>` and no `<out>`: that one is moved back, so readers keep the last complete package.
 * Returns the names acted on.
 */
export function cleanStaleSiblings(outDir: string, alive: (pid: number) => boolean = isAlive): string[] {
  const dir = path.dirname(path.resolve(outDir));
  const base = path.basename(outDir);
  if (!existsSync(dir)) return [];
  const done: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const m = SIBLING.exec(name);
    if (!m || m[1] !== base) continue;
    const pid = Number(m[3]);
    if (pid === process.pid || alive(pid)) continue;
    const full = path.join(dir, name);
    if (m[2] === "old" && !existsSync(outDir)) renameSync(full, outDir);
    else rmSync(full, { recursive: true, force: true });
    done.push(name);
  }
  return done;
}

/**
 * The output folder is replaced whole on every build, so it must never be (or contain) the
 * workspace, the store or an input, and an existing folder must be an earlier evidence package:
 * `--out .` must not move a user's files aside and delete them.
 */
export function assertSafeOutDir(outDir: string, protect: readonly string[]): void {
  const out = path.resolve(outDir);
  for (const p of protect) {
    const target = path.resolve(p);
    if (target === out || target.startsWith(out + path.sep)) {
      throw new UsageError(`--out ${outDir}: it holds ${target}, and the output folder is replaced on every build; choose a folder of its own`);
    }
  }
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new UsageError(`--out ${outDir}: exists and is not a folder`);
  const entries = readdirSync(out);
  if (entries.length > 0 && !entries.includes("manifest.json")) {
    throw new UsageError(`--out ${outDir}: the folder is not empty and is not an evidence package (no manifest.json); refusing to replace it`);
  }
}
