import { existsSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { InputError, UsageError } from "../errors.ts";
import { SIGNATURE_FILE } from "./signature.ts";
import { MANIFEST_FILE, type PackageManifest, readManifest, walkPackage } from "./verify-package.ts";

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

/** Who is writing the package: compared with the workspace an existing package records. */
export interface OutDirOwner {
  /** The config file's path relative to the output folder, `/`-separated (see workspaceId). */
  workspace: string;
  configSha256: string;
  /** Replace a package another workspace wrote. Never overrides the other checks. */
  force?: boolean | undefined;
}

/**
 * The workspace identity a package records: the config file's path relative to the package
 * folder. It stays the same when the config is edited (its hash does not) and when workspace and
 * reports move together, and differs for any other workspace writing to the same folder.
 */
export function workspaceId(outDir: string, configFile: string): string {
  return path.relative(path.resolve(outDir), path.resolve(configFile)).split(path.sep).join("/");
}

const MAX_NAMED = 5;

/**
 * An existing output folder may be replaced only when it is empty or provably an earlier package
 * of this tool: its manifest.json parses with our schema and the folder holds nothing that
 * manifest does not list (the manifest and its signature aside). Anything else (another tool's
 * manifest.json, a git checkout, a file the user put there) is refused and nothing is touched.
 * Returns the manifest of the package found, if any.
 */
export function assertReplaceable(outDir: string): PackageManifest | null {
  const out = path.resolve(outDir);
  if (!existsSync(out)) return null;
  if (!statSync(out).isDirectory()) throw new UsageError(`--out ${outDir}: exists and is not a folder; nothing was changed`);
  const tree = walkPackage(out);
  if (tree.files.length + tree.dirs.length + tree.odd.length === 0) return null;
  let manifest: PackageManifest;
  try {
    manifest = readManifest(out);
  } catch (error) {
    const why = tree.files.includes(MANIFEST_FILE) ? (error as Error).message.replace(/^.*?manifest\.json: /, "manifest.json: ") : "no manifest.json";
    throw new UsageError(`--out ${outDir}: the folder is not empty and is not an evidence package (${why}); refusing to replace it, nothing was changed`);
  }
  const listed = new Set([MANIFEST_FILE, SIGNATURE_FILE, ...manifest.outputs.map((o) => o.path)]);
  // Folders of listed files, and memos/, which every build creates even when it holds no memo.
  const folders = new Set(["memos", ...[...listed].flatMap((p) => p.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/")))]);
  const foreign = [...tree.files.filter((f) => !listed.has(f)), ...tree.dirs.filter((d) => !folders.has(d)).map((d) => `${d}/`), ...tree.odd.map((o) => o.path)].sort();
  if (foreign.length > 0) {
    const named = foreign.slice(0, MAX_NAMED).join(", ") + (foreign.length > MAX_NAMED ? ` and ${foreign.length - MAX_NAMED} more` : "");
    throw new UsageError(
      `--out ${outDir}: the folder holds what its manifest.json does not list (${named}), so it is not only an evidence package; refusing to replace it, nothing was changed`,
    );
  }
  return manifest;
}

/**
 * The output folder is replaced whole on every build, so it must never be (or contain) the
 * workspace, the store or an input, and an existing folder must be empty or an earlier evidence
 * package (assertReplaceable): `--out .` must not move a user's files aside and delete them. With
 * `owner`, a package another workspace wrote is refused too unless `owner.force` is set: building a
 * second workspace must not silently replace the first one's package.
 */
export function assertSafeOutDir(outDir: string, protect: readonly string[], owner?: OutDirOwner): void {
  const out = path.resolve(outDir);
  for (const p of protect) {
    const target = path.resolve(p);
    if (target === out || target.startsWith(out + path.sep)) {
      throw new UsageError(`--out ${outDir}: it holds ${target}, and the output folder is replaced on every build; choose a folder of its own`);
    }
  }
  const manifest = assertReplaceable(outDir);
  if (!manifest || !owner || owner.force) return;
  // Packages written before the workspace was recorded: the config hash is the best evidence left.
  const other = manifest.workspace !== undefined ? manifest.workspace !== owner.workspace : manifest.configSha256 !== owner.configSha256;
  if (other) {
    const whose = manifest.workspace !== undefined ? `the workspace of ${path.resolve(out, manifest.workspace)}` : "a workspace with another config";
    throw new UsageError(`--out ${outDir}: holds the ${manifest.period} package that ${whose} wrote; refusing to replace it (pass --force to replace it anyway)`);
  }
}
