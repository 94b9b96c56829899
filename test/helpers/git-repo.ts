import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { tempDir } from "./workspace.ts";

export type Who = [name: string, email: string];
export const GITHUB: Who = ["GitHub", "noreply@github.com"];

/** Builds real git repositories in a temp folder, with fixed identities and dates. */
export class TestRepo {
  readonly dir = tempDir("evidence-git-");
  private tick = 0;
  constructor() {
    this.git(["init", "--quiet", "--initial-branch=main"]);
  }

  git(args: string[], env: Record<string, string> = {}): string {
    return execFileSync("git", ["-C", this.dir, ...args], {
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: this.dir, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    }).toString();
  }

  /** The next fixed timestamp: one hour apart from 2026-10-01T09:00Z. */
  nextDate(): string {
    return new Date(Date.UTC(2026, 9, 1, 9, 0, 0) + this.tick++ * 3600_000).toISOString();
  }

  env(author: Who, committer: Who, date = this.nextDate()): Record<string, string> {
    return {
      GIT_AUTHOR_NAME: author[0], GIT_AUTHOR_EMAIL: author[1], GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: committer[0], GIT_COMMITTER_EMAIL: committer[1], GIT_COMMITTER_DATE: date,
    };
  }

  write(file: string, content: string): void {
    mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
    writeFileSync(path.join(this.dir, file), content);
    this.git(["add", file]);
  }

  commit(message: string, author: Who = ["Dev One", "dev1@example.com"], file = `f${this.tick}.txt`, committer = author): string {
    this.write(file, `${message}\n${this.tick}\n`);
    this.git(["commit", "--quiet", "--no-gpg-sign", "--allow-empty-message", "-m", message], this.env(author, committer));
    return this.head();
  }

  /**
   * A commit whose message is stored as the given raw bytes. `git commit` would convert an invalid
   * UTF-8 message from Latin-1, so the commit object is written by hand, as old tools or imports did.
   */
  commitBytes(message: Buffer, author: Who = ["Dev One", "dev1@example.com"], encoding?: string): string {
    this.write(`bytes${this.tick}.txt`, String(this.tick));
    const tree = this.git(["write-tree"]).trim();
    const parent = this.git(["rev-parse", "--verify", "--quiet", "HEAD"]).trim();
    const when = `${Math.floor(Date.parse(this.nextDate()) / 1000)} +0000`;
    const header = [`tree ${tree}`, ...(parent ? [`parent ${parent}`] : []), `author ${author[0]} <${author[1]}> ${when}`, `committer ${author[0]} <${author[1]}> ${when}`,
      ...(encoding ? [`encoding ${encoding}`] : [])].join("\n");
    const sha = execFileSync("git", ["-C", this.dir, "hash-object", "-t", "commit", "-w", "--stdin"], { input: Buffer.concat([Buffer.from(`${header}\n\n`), message]) }).toString().trim();
    this.git(["update-ref", "HEAD", sha]);
    return sha;
  }

  /** A `--no-ff` merge of `branch` into the current branch, as GitHub's merge button writes it. */
  merge(branch: string, message: string, who: Who = GITHUB): string {
    this.git(["merge", "--quiet", "--no-ff", "--no-gpg-sign", "-m", message, branch], this.env(who, who));
    return this.head();
  }

  /** A squash merge of `branch`: one new commit on the current branch, committed by `committer`. */
  squash(branch: string, message: string, author: Who, committer: Who = GITHUB): string {
    this.git(["merge", "--quiet", "--squash", branch]);
    this.git(["commit", "--quiet", "--no-gpg-sign", "-m", message], this.env(author, committer));
    return this.head();
  }

  checkout(branch: string, create = false): void {
    this.git(["checkout", "--quiet", ...(create ? ["-b"] : []), branch]);
  }

  head(): string {
    return this.git(["rev-parse", "HEAD"]).trim();
  }
}
