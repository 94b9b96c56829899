import { isUtf8 } from "node:buffer";

/**
 * Pure parsing of our one `git log -z` pass. A commit starts with RS (0x1e); header fields are
 * separated by US (0x1f); the header ends with US + NUL; then come the diff records (`--numstat`
 * or `--name-status`, NUL-separated, paths as raw bytes). Trailers are joined by GS (0x1d). None
 * of these bytes appear in names, e-mails or dates, and a message only holds them if someone
 * typed them: a message with a stray US still parses (the body takes the extra fields).
 */
export const RECORD = 0x1e;
const FIELD = "\x1f";
const TRAILER = "\x1d";
const HEADER_END = "\x1f\x00";

/** `none`: a treeless clone (`--filter=tree:0`) cannot even list paths without fetching trees. */
export type DiffMode = "numstat" | "name-status" | "none";

export interface LogOptions {
  diff: DiffMode;
  /** Adds `%G?` (one gpg/ssh verification per signed commit). */
  verifySignatures: boolean;
}

// Dates as `%ad`/`%cd` with --date=iso-strict-local under TZ=UTC (GIT_ENV): always `…+00:00`, so
// turning them into our UTC form is a string splice, not a Date parse per commit.
const FIELDS = ["%H", "%P", "%an", "%ae", "%ad", "%cn", "%ce", "%cd", "%B", "%(trailers:unfold=true,separator=%x1d)"];

/** The `git log` arguments (after `log`) for one streaming pass over everything reachable from `tip`. */
export function logArgs(tip: string, options: LogOptions): string[] {
  const format = "%x1e" + [...FIELDS, options.verifySignatures ? "%G?" : ""].join("%x1f") + "%x1f";
  return [
    "log",
    // Children before parents, so the first-parent chain can be followed while streaming.
    "--topo-order",
    "-z",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--encoding=UTF-8",
    "--date=iso-strict-local",
    // A merge's diff is what landed on its first parent: the unit an auditor samples.
    "--diff-merges=first-parent",
    ...(options.diff === "numstat" ? ["--numstat"] : options.diff === "name-status" ? ["--name-status"] : []),
    // Rename detection reads blob contents; without it a partial clone needs no blobs at all.
    ...(options.diff === "name-status" ? ["--no-renames"] : []),
    `--format=${format}`,
    tip,
    "--",
  ];
}

export interface RawCommit {
  sha: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  authorTime: string;
  committerName: string;
  committerEmail: string;
  committerTime: string;
  /** The whole message (`%B`), trailing newlines removed. */
  message: string;
  /** The first paragraph on one line, as git's `%s`. */
  subject: string;
  trailers: { key: string; value: string }[];
  /** `%G?` letter, or null when signatures were not verified. */
  signature: string | null;
  /** Changed paths (new names for renames). */
  paths: string[];
  /** False when the pass read no diff (treeless clone). */
  pathsKnown: boolean;
  linesAdded: number | null;
  linesDeleted: number | null;
  /** The record was not valid UTF-8 (a message written in a legacy encoding without an encoding header) and was read as Latin-1. */
  latin1: boolean;
}

function isoOrNull(value: string): string | null {
  if (value.length === 25 && value.endsWith("+00:00") && value[10] === "T") return `${value.slice(0, 19)}.000Z`;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

/** Decodes one record's bytes: UTF-8 when valid, else Latin-1, which maps every byte and never fails. */
export function decodeRecord(bytes: Buffer): { text: string; latin1: boolean } {
  return isUtf8(bytes) ? { text: bytes.toString("utf8"), latin1: false } : { text: bytes.toString("latin1"), latin1: true };
}

/** Parses one record (the bytes after an RS, up to the next). Returns a reason string when it cannot. */
export function parseLogRecord(bytes: Buffer, diff: DiffMode): RawCommit | string {
  const { text, latin1 } = decodeRecord(bytes);
  const end = text.indexOf(HEADER_END);
  if (end < 0) return "record ends before its header is complete";
  const f = text.slice(0, end).split(FIELD);
  if (f.length < 11) return `expected 11 header fields, got ${f.length}`;
  const [sha, parents, an, ae, aI, cn, ce, cI] = f as [string, string, string, string, string, string, string, string];
  // A message holding US splits into extra fields: the fixed fields are counted from both ends.
  const message = f.slice(8, f.length - 2).join(FIELD).replace(/\n+$/, "");
  const trailers = f[f.length - 2]!;
  const signature = f[f.length - 1]!;
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) return `not a commit id: ${sha.slice(0, 50)}`;
  const committerTime = isoOrNull(cI);
  if (!committerTime) return `unreadable committer date "${cI.slice(0, 40)}"`;
  const changes = parseDiff(text.slice(end + HEADER_END.length), diff);
  return {
    sha,
    parents: parents.split(" ").filter(Boolean),
    authorName: an,
    authorEmail: ae,
    authorTime: isoOrNull(aI) ?? committerTime,
    committerName: cn,
    committerEmail: ce,
    committerTime,
    message,
    subject: message.split(/\n[ \t]*\n/, 1)[0]!.replace(/\s*\n\s*/g, " ").trim(),
    trailers: trailers
      .split(TRAILER)
      .map((t) => t.trim())
      .filter((t) => t.includes(":"))
      .map((t) => {
        const i = t.indexOf(":");
        return { key: t.slice(0, i).trim(), value: t.slice(i + 1).trim() };
      }),
    signature: signature === "" ? null : signature,
    ...changes,
    latin1,
  };
}

/**
 * `--numstat -z`: `added\tdeleted\tpath\0`, binary files `-\t-\tpath\0`, renames
 * `added\tdeleted\t\0old\0new\0`. `--name-status -z`: `M\0path\0`, `R066\0old\0new\0`.
 */
export function parseDiff(section: string, diff: DiffMode): Pick<RawCommit, "paths" | "pathsKnown" | "linesAdded" | "linesDeleted"> {
  const paths: string[] = [];
  if (diff === "none") return { paths, pathsKnown: false, linesAdded: null, linesDeleted: null };
  const tokens = section.replace(/^\n/, "").split("\0");
  if (diff === "name-status") {
    for (let i = 0; i < tokens.length; i++) {
      const status = tokens[i]!;
      if (!status) continue;
      // Renames and copies carry two paths; the new one is what the change touched.
      if (status[0] === "R" || status[0] === "C") {
        i += 2;
        if (tokens[i]) paths.push(tokens[i]!);
      } else if (tokens[i + 1] !== undefined) {
        paths.push(tokens[++i]!);
      }
    }
    return { paths, pathsKnown: true, linesAdded: null, linesDeleted: null };
  }
  let added = 0;
  let deleted = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!token) continue;
    const t1 = token.indexOf("\t");
    const t2 = token.indexOf("\t", t1 + 1);
    if (t1 < 0 || t2 < 0) continue;
    // Binary files count "-": no lines, still a changed path.
    added += Number(token.slice(0, t1)) || 0;
    deleted += Number(token.slice(t1 + 1, t2)) || 0;
    const path = token.slice(t2 + 1);
    if (path) paths.push(path);
    else {
      i += 2;
      if (tokens[i]) paths.push(tokens[i]!);
    }
  }
  return { paths, pathsKnown: true, linesAdded: added, linesDeleted: deleted };
}
