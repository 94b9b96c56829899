/**
 * The sample's git side: the `api` repository as a bundle (git/api.bundle) and the pull-request
 * export `gh pr list --state merged --json …` gives for it (git/prs.json). October 2026 holds
 * about forty changes to main through squash and merge-commit pull requests, many written with
 * Claude Code, Cursor, Copilot's coding agent, Codex or Aider and approved by a colleague, and
 * the exceptions an auditor must find:
 *  - #46: Claude Code, run by the on-call operator, rewrote `infra/stack.yaml`; only an AI
 *    reviewer approved it and the operator merged it himself;
 *  - a hotfix pushed straight to main, with no pull request;
 *  - #52: an emergency rollback merged at night and reviewed by a colleague the next morning.
 * Everything is fixed (identities, dates, seeded choices), so the bundle's commits are identical
 * on every run.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, rng } from "./lib.ts";

interface Person { name: string; email: string; login: string; bot?: boolean }
const MARIA: Person = { name: "Maria Garcia", email: "maria.garcia@acme.example", login: "maria-garcia" };
const LI: Person = { name: "Li Wei", email: "li.wei@acme.example", login: "liwei-acme" };
const OLGA: Person = { name: "Olga Ivanova", email: "olga.ivanova@acme.example", login: "olga-iv" };
const SAM: Person = { name: "Sam Okafor", email: "sam.okafor@acme.example", login: "sokafor" };
const OPS: Person = { name: "Ops Oncall", email: "ops.oncall@acme.example", login: "acme-ops-oncall" };
const HUMANS = [MARIA, LI, OLGA, SAM];
const GITHUB = { name: "GitHub", email: "noreply@github.com" };
const COPILOT: Person = { name: "Copilot", email: "198982749+Copilot@users.noreply.github.com", login: "app/copilot-swe-agent", bot: true };
const DEPENDABOT: Person = { name: "dependabot[bot]", email: "49699333+dependabot[bot]@users.noreply.github.com", login: "app/dependabot", bot: true };
const CLAUDE = "Claude <noreply@anthropic.com>";
const CURSOR = "Cursor <cursoragent@cursor.com>";
const CODEX = "Codex <noreply@openai.com>";

interface BranchCommit { file: string; content: string; message: string; author: Person; authorName?: string; coAuthors?: string[] }
interface Pr {
  number: number;
  title: string;
  branch: string;
  author: Person;
  commits: BranchCommit[];
  style: "squash" | "merge";
  /** Approvals and other reviews, minutes before (negative) or after the merge. */
  reviews: { by: string; state: "APPROVED" | "COMMENTED"; at: number }[];
  mergedBy: Person;
  mergedAt: string;
  labels?: string[];
}

const r = rng(8008);
const at = (day: number, h: number, m: number) => new Date(Date.UTC(2026, 9, day, h, m)).toISOString();
const minutes = (iso: string, n: number) => new Date(Date.parse(iso) + n * 60_000).toISOString();

const CORE: Pr[] = [
  { number: 41, title: "Raise health check timeout", branch: "maria/health-timeout", author: MARIA, style: "squash", mergedBy: MARIA, mergedAt: at(2, 11, 20),
    commits: [{ file: "src/health.ts", content: "export const timeout = 2000;\n", message: "Raise health check timeout", author: MARIA, coAuthors: [CLAUDE] }],
    reviews: [{ by: OLGA.login, state: "APPROVED", at: -25 }] },
  { number: 42, title: "Add routes table", branch: "li/routes", author: LI, style: "merge", mergedBy: LI, mergedAt: at(5, 14, 2),
    commits: [{ file: "src/routes.ts", content: "export const routes = ['/health'];\n", message: "Add routes table", author: LI }],
    reviews: [{ by: MARIA.login, state: "APPROVED", at: -40 }] },
  { number: 43, title: "Добавить русский перевод приветствия", branch: "olga/ru", author: OLGA, style: "squash", mergedBy: OLGA, mergedAt: at(7, 9, 45),
    commits: [{ file: "src/i18n/ru.json", content: '{"greeting":"Здравствуйте"}\n', message: "Добавить русский перевод приветствия", author: OLGA }],
    reviews: [{ by: SAM.login, state: "APPROVED", at: -15 }] },
  { number: 44, title: "添加中文问候语翻译", branch: "li/zh", author: LI, style: "squash", mergedBy: LI, mergedAt: at(8, 16, 30),
    commits: [{ file: "src/i18n/zh.json", content: '{"greeting":"你好"}\n', message: "添加中文问候语翻译", author: LI }],
    reviews: [{ by: OLGA.login, state: "APPROVED", at: -30 }] },
  { number: 45, title: "Retry transient upstream errors", branch: "sam/retry", author: SAM, style: "merge", mergedBy: SAM, mergedAt: at(12, 10, 10),
    commits: [{ file: "src/retry.ts", content: "export const retries = 3;\n", message: "Retry transient upstream errors", author: SAM, coAuthors: [CURSOR] }],
    reviews: [{ by: LI.login, state: "APPROVED", at: -35 }] },
  // The exception: the operator's Claude Code session rewrote the production stack; only CodeRabbit approved; the operator merged.
  { number: 46, title: "Recreate prod-api stack with new health check", branch: "ops/prod-api-stack", author: OPS, style: "squash", mergedBy: OPS, mergedAt: at(14, 9, 58),
    commits: [{ file: "infra/stack.yaml", content: "Resources:\n  Api:\n    Type: AWS::ECS::Service\n    Properties:\n      HealthCheckGracePeriodSeconds: 120\n", message: "Recreate prod-api stack with new health check", author: OPS, coAuthors: [CLAUDE] }],
    reviews: [{ by: "coderabbitai", state: "APPROVED", at: -6 }] },
  { number: 47, title: "Export request metrics", branch: "olga/metrics", author: OLGA, style: "squash", mergedBy: OLGA, mergedAt: at(20, 13, 0),
    commits: [{ file: "src/metrics.ts", content: "export const metrics = true;\n", message: "Export request metrics", author: OLGA }],
    reviews: [{ by: MARIA.login, state: "APPROVED", at: -20 }] },
  { number: 48, title: "Require MFA for admin routes", branch: "copilot/require-mfa-admin", author: COPILOT, style: "squash", mergedBy: LI, mergedAt: at(27, 15, 30),
    commits: [{ file: "src/auth.ts", content: "export const mfa = true;\n", message: "Require MFA for admin routes", author: COPILOT, coAuthors: [`${LI.name} <${LI.email}>`] }],
    reviews: [{ by: "copilot-pull-request-reviewer", state: "COMMENTED", at: -90 }, { by: SAM.login, state: "APPROVED", at: -45 }] },
  { number: 49, title: "Bump lodash from 4.17.20 to 4.17.21", branch: "dependabot/npm_and_yarn/lodash-4.17.21", author: DEPENDABOT, style: "squash", mergedBy: SAM, mergedAt: at(9, 8, 40),
    commits: [{ file: "package-lock.json", content: '{"lodash":"4.17.21"}\n', message: "Bump lodash from 4.17.20 to 4.17.21", author: DEPENDABOT }],
    reviews: [{ by: SAM.login, state: "APPROVED", at: -5 }] },
  { number: 50, title: "Tidy error messages", branch: "li/errors", author: LI, style: "merge", mergedBy: LI, mergedAt: at(15, 11, 5),
    commits: [{ file: "src/errors.ts", content: "export const notFound = 'Not found';\n", message: "Tidy error messages", author: LI, authorName: "Li Wei (aider)" }],
    reviews: [{ by: OLGA.login, state: "APPROVED", at: -18 }] },
  // Emergency: merged at night with the incident label, reviewed by a colleague the next morning.
  { number: 52, title: "Roll back cache TTL after latency spike", branch: "olga/rollback-ttl", author: OLGA, style: "squash", mergedBy: OLGA, mergedAt: at(18, 2, 10), labels: ["emergency"],
    commits: [{ file: "src/cache.ts", content: "export const ttlSeconds = 30;\n", message: "Roll back cache TTL after latency spike", author: OLGA }],
    reviews: [{ by: SAM.login, state: "APPROVED", at: 440 }] },
  { number: 53, title: "Add pagination helper", branch: "maria/pagination", author: MARIA, style: "merge", mergedBy: MARIA, mergedAt: at(21, 15, 45),
    commits: [
      { file: "src/paginate.ts", content: "export const pageSize = 50;\n", message: "Add pagination helper", author: MARIA, coAuthors: [CODEX] },
      { file: "src/paginate.test.ts", content: "// pagination tests\n", message: "Test pagination helper", author: MARIA, coAuthors: [CODEX] },
    ],
    reviews: [{ by: LI.login, state: "APPROVED", at: -12 }] },
];

const TOPICS = ["request logging", "health endpoint", "rate limits", "config loading", "user lookup", "session cleanup", "cache keys", "error codes", "input validation",
  "timeouts", "metrics names", "retry budget", "response headers", "locale fallback", "audit events", "feature flags", "batch export", "search filters", "CSV export",
  "date parsing", "connection pool", "graceful shutdown"];
const VERBS = ["Improve", "Fix", "Refactor", "Simplify", "Document", "Harden"];

/** The everyday changes around the core ones: seeded authors, agents, reviewers, styles and times. */
function fillers(): Pr[] {
  const days = [1, 2, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 19, 20, 21, 22, 23, 26, 27, 28, 29, 30];
  return TOPICS.map((topic, i) => {
    const author = r.pick(HUMANS);
    const reviewer = r.pick(HUMANS.filter((h) => h !== author));
    const ai = r.next();
    const coAuthors = ai < 0.3 ? [CLAUDE] : ai < 0.45 ? [CURSOR] : ai < 0.52 ? [CODEX] : [];
    const title = `${r.pick(VERBS)} ${topic}`;
    const slug = topic.replace(/\W+/g, "-");
    const file = `src/${slug}.ts`;
    const n = 1 + Math.floor(r.next() * 2);
    return {
      number: 54 + i, title, branch: `${author.login.split("-")[0]}/${slug}`, author, style: r.next() < 0.6 ? "squash" : "merge", mergedBy: author,
      mergedAt: at(days[i]!, 9 + Math.floor(r.next() * 8), Math.floor(r.next() * 60)),
      commits: Array.from({ length: n }, (_, k) => ({ file, content: `// ${title}, step ${k + 1}\nexport const v${k} = ${k + 1};\n`, message: k === 0 ? title : `${title}: address review`, author, coAuthors })),
      reviews: [{ by: reviewer.login, state: "APPROVED", at: -(10 + Math.floor(r.next() * 50)) }],
    } satisfies Pr;
  });
}

const DIRECT_PUSH = { file: "src/retry.ts", content: "export const retries = 5;\nexport const upstreamTimeoutMs = 5000;\n", message: "Hotfix: raise upstream timeout to 5s", who: SAM, at: at(22, 18, 5) };

export function buildAcmeGit(): void {
  const out = path.join(ROOT, "git");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const dir = mkdtempSync(path.join(tmpdir(), "acme-repo-"));
  const git = (args: string[], env: Record<string, string> = {}) =>
    execFileSync("git", ["-C", dir, ...args], { env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: dir, ...env }, stdio: ["ignore", "pipe", "pipe"] }).toString().trim();
  const env = (author: { name: string; email: string }, date: string, committer = author) => ({
    GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email, GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: committer.name, GIT_COMMITTER_EMAIL: committer.email, GIT_COMMITTER_DATE: date,
  });
  const write = (file: string, content: string) => {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
    git(["add", file]);
  };
  const commit = (message: string, author: { name: string; email: string }, date: string, committer = author) => {
    git(["commit", "--quiet", "--no-gpg-sign", "-m", message], env(author, date, committer));
    return git(["rev-parse", "HEAD"]);
  };
  const trailers = (c: BranchCommit) => (c.coAuthors?.length ? `\n\n${c.coAuthors.map((a) => `Co-authored-by: ${a}`).join("\n")}` : "");

  git(["init", "--quiet", "--initial-branch=main"]);
  write("README.md", "# api\n");
  commit("Initial commit", MARIA, "2026-09-01T09:00:00Z");
  write("src/health.ts", "export const timeout = 500;\n");
  commit("Add health check (#1)\n\nReviewed-by: Li Wei <li.wei@acme.example>", MARIA, "2026-09-15T10:00:00Z");

  const prs = [...CORE, ...fillers()].sort((a, b) => a.mergedAt.localeCompare(b.mergedAt) || a.number - b.number);
  const exported: unknown[] = [];
  let lastOnMain = "2026-09-15T10:00:00Z";
  let pushed = false;
  for (const pr of prs) {
    if (!pushed && pr.mergedAt > DIRECT_PUSH.at) {
      write(DIRECT_PUSH.file, DIRECT_PUSH.content);
      commit(DIRECT_PUSH.message, DIRECT_PUSH.who, DIRECT_PUSH.at);
      lastOnMain = DIRECT_PUSH.at;
      pushed = true;
    }
    git(["checkout", "--quiet", "-b", pr.branch]);
    // Branch commits fall between the previous change on main and this merge.
    const span = Math.max(2, Math.min(120, (Date.parse(pr.mergedAt) - Date.parse(lastOnMain)) / 60_000 - 2));
    const commits = pr.commits.map((c, k) => {
      const when = minutes(pr.mergedAt, -Math.round(span * (pr.commits.length - k) / (pr.commits.length + 1)));
      write(c.file, c.content);
      const who = { name: c.authorName ?? c.author.name, email: c.author.email };
      return { c, sha: commit(`${c.message}${trailers(c)}`, who, when), when };
    });
    git(["checkout", "--quiet", "main"]);
    const coAuthors = [...new Set(pr.commits.flatMap((c) => c.coAuthors ?? []))];
    if (pr.style === "squash") {
      git(["merge", "--quiet", "--squash", pr.branch]);
      const body = pr.commits.length > 1 ? `\n\n${pr.commits.map((c) => `* ${c.message}`).join("\n")}` : "";
      const co = coAuthors.length ? `\n\n${coAuthors.map((a) => `Co-authored-by: ${a}`).join("\n")}` : "";
      commit(`${pr.title} (#${pr.number})${body}${co}`, pr.author.bot ? pr.author : { name: pr.author.name, email: pr.author.email }, pr.mergedAt, GITHUB);
    } else {
      git(["merge", "--quiet", "--no-ff", "--no-gpg-sign", "-m", `Merge pull request #${pr.number} from acme/${pr.branch}\n\n${pr.title}`, pr.branch], env(pr.mergedBy, pr.mergedAt, GITHUB));
    }
    const mergeCommit = git(["rev-parse", "HEAD"]);
    lastOnMain = pr.mergedAt;
    const head = commits[commits.length - 1]!;
    // Approvals given before the merge come after the last push, so none is stale.
    const lastPush = (Date.parse(pr.mergedAt) - Date.parse(head.when)) / 60_000;
    const reviewAt = (m: number) => (m < 0 ? Math.max(m, -Math.floor(lastPush / 2)) : m);
    exported.push({
      number: pr.number,
      title: pr.title,
      author: pr.author.bot ? { login: pr.author.login, is_bot: true } : { id: `U_${pr.author.login}`, login: pr.author.login, name: pr.author.name, is_bot: false },
      mergedBy: { id: `U_${pr.mergedBy.login}`, login: pr.mergedBy.login, name: pr.mergedBy.name, is_bot: false },
      mergeCommit: { oid: mergeCommit },
      mergedAt: pr.mergedAt.replace(".000Z", "Z"),
      baseRefName: "main",
      headRefName: pr.branch,
      headRefOid: head.sha,
      // gh reports the decision as it stands at export time, after any later approval.
      reviewDecision: pr.reviews.some((v) => v.state === "APPROVED") ? "APPROVED" : "REVIEW_REQUIRED",
      labels: (pr.labels ?? []).map((name) => ({ id: `LA_${name}`, name, description: "", color: "d73a4a" })),
      reviews: pr.reviews.map((v, k) => ({
        id: `PRR_${pr.number}_${k}`, author: { login: v.by }, authorAssociation: v.by.includes("-reviewer") || v.by === "coderabbitai" ? "NONE" : "MEMBER",
        body: v.state === "APPROVED" ? "LGTM" : "Left a few suggestions.", submittedAt: minutes(pr.mergedAt, reviewAt(v.at)).replace(".000Z", "Z"), includesCreatedEdit: false,
        reactionGroups: [], state: v.state, commit: { oid: head.sha },
      })),
      commits: commits.map(({ c, sha, when }) => ({
        authoredDate: when.replace(".000Z", "Z"), committedDate: when.replace(".000Z", "Z"), oid: sha, messageHeadline: c.message, messageBody: (c.coAuthors ?? []).map((a) => `Co-authored-by: ${a}`).join("\n"),
        authors: [
          { email: c.author.email, id: c.author.bot ? "" : `U_${c.author.login}`, login: c.author.bot ? "" : c.author.login, name: c.authorName ?? c.author.name },
          ...(c.coAuthors ?? []).map((a) => ({ email: a.replace(/.*<|>$/g, ""), id: "", login: "", name: a.replace(/\s*<.*$/, "") })),
        ],
      })),
    });
  }
  // One pack thread: multi-threaded delta search orders objects differently from run to run.
  git(["-c", "pack.threads=1", "bundle", "create", path.join(out, "api.bundle"), "main"]);
  rmSync(dir, { recursive: true, force: true });
  // gh lists the most recently merged first.
  exported.sort((a, b) => String((b as { mergedAt: string }).mergedAt).localeCompare(String((a as { mergedAt: string }).mergedAt)));
  writeFileSync(path.join(out, "prs.json"), JSON.stringify(exported, null, 2) + "\n");
  console.log(`wrote git/api.bundle (${prs.length} pull requests and one direct push in 2026-10) and git/prs.json`);
}
