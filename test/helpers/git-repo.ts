import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { tempDir } from "./workspace.ts";

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

  commit(message: string, author: [string, string] = ["Dev One", "dev1@example.com"], file = `f${this.tick}.txt`, committer = author): string {
    const date = new Date(Date.UTC(2026, 9, 1, 9, 0, 0) + this.tick++ * 3600_000).toISOString();
    mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
    writeFileSync(path.join(this.dir, file), `${message}\n${this.tick}\n`);
    this.git(["add", file]);
    this.git(["commit", "--quiet", "--no-gpg-sign", "--allow-empty-message", "-m", message], {
      GIT_AUTHOR_NAME: author[0], GIT_AUTHOR_EMAIL: author[1], GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: committer[0], GIT_COMMITTER_EMAIL: committer[1], GIT_COMMITTER_DATE: date,
    });
    return this.git(["rev-parse", "HEAD"]).trim();
  }
}
