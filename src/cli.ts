import { createRequire } from "node:module";
import type { Argv } from "yargs";
import type yargsFactory from "yargs";
import type { BaselineWriteArgs } from "./commands/baseline.ts";
import type { CheckArgs } from "./commands/check.ts";
import type { HookInstallArgs } from "./commands/hook-install.ts";
import type { GlobalOptions } from "./commands/context.ts";
import type { InitArgs } from "./commands/init.ts";
import type { PushdownArgs } from "./commands/pushdown.ts";
import type { TabletopArgs } from "./commands/tabletop.ts";
import { ExitCode, InputError, UsageError } from "./errors.ts";
import { PERIOD_FORMS } from "./period.ts";
import { visibleText } from "./visible-text.ts";
import { TOOL_VERSION } from "./version.ts";

// yargs' ESM build wraps help text with cliui's ESM stand-in for wrap-ansi, which cuts every N
// characters, mid-word ("nev|er", "chang|ed"); its CommonJS build wraps with wrap-ansi at spaces.
const yargs = createRequire(import.meta.url)("yargs") as typeof yargsFactory;

// Each command's module is imported when that command runs, so `--help` and `--version` load only yargs.
const PERIOD_HELP = `Reporting period: ${PERIOD_FORMS.join(", ")}`;

function parser(argv: string[], run: (p: Promise<number>) => void): Argv {
  return yargs(argv)
    .scriptName("evidence")
    .usage("$0 <command> [options]\n\nTurns AI coding-agent audit logs, CloudTrail and git history into SOC 2 / ISO 27001 evidence.")
    .option("config", { alias: "c", type: "string", default: "evidence.config.yaml", describe: "Workspace config (YAML or JSON)", global: true })
    .option("db", { type: "string", describe: "Evidence store (default: .evidence/evidence.db beside the config)", global: true })
    .option("json", { type: "boolean", default: false, describe: "Machine-readable output on stdout", global: true })
    .option("quiet", { alias: "q", type: "boolean", default: false, describe: "No progress on stderr", global: true })
    .option("lock-wait", { type: "number", default: 0, describe: "Seconds to wait while another run holds the store (default: refuse at once)", global: true })
    .command(
      "init [dir]",
      "Write a starter workspace (config with comments, empty registers); never overwrites",
      (y) =>
        y
          .positional("dir", { type: "string", default: ".", describe: "Folder for the workspace" })
          .option("production-account", { type: "string", array: true, describe: "A production AWS account id (repeatable); on a terminal init asks instead" })
          .option("production-branch", { type: "string", array: true, describe: "A production git branch (repeatable; default main)" })
          .option("production-path", { type: "string", array: true, describe: "A production working-directory glob, e.g. '/srv/prod/**' (repeatable)" })
          .example("$0 init compliance/", "Start a workspace in compliance/ (asks which environment is production)")
          .example("$0 init compliance/ --production-account 111122223333 --production-path '/srv/prod/**'", "The same from a script"),
      (a) => run(import("./commands/init.ts").then((m) => m.initCommand(a as unknown as InitArgs))),
    )
    .command(
      "ingest",
      "Ingest the sources named in the config (unchanged files are skipped)",
      (y) =>
        y
          .option("source", { type: "string", array: true, describe: "Only these source names" })
          .option("rehash", { type: "boolean", default: false, describe: "Hash every input, even one whose size and modification time are unchanged" })
          .example("$0 ingest", "Ingest every source")
          .example("$0 ingest --source cloudtrail", "Ingest one source"),
      (a) => run(import("./commands/ingest.ts").then((m) => m.ingestCommand(a as unknown as GlobalOptions & { source?: string[]; rehash?: boolean }))),
    )
    .command(
      "build",
      "Ingest what changed, evaluate the controls and write the evidence package",
      (y) =>
        y
          .option("period", { alias: "p", type: "string", demandOption: true, describe: PERIOD_HELP })
          .option("out", { alias: "o", type: "string", describe: "Output folder (default: reports/<period>/ beside the config)" })
          .option("as-of", { type: "string", describe: "Generation time shown in the report (default: the period end)" })
          .option("sign-key", { type: "string", describe: "Ed25519 private key (PEM) to sign the package: writes manifest.sig.json (DSSE, in-toto statement)" })
          .option("include-store", { type: "boolean", describe: "Add a copy of the (redacted) evidence store as store/evidence.db, so an auditor can re-run queries/*.sql with sqlite3" })
          .option("rehash", { type: "boolean", default: false, describe: "Hash every input, even one whose size and modification time are unchanged" })
          .option("force", { type: "boolean", default: false, describe: "Replace a package that another workspace wrote at --out" })
          .example("$0 build --period 2026-10", "Monthly package into reports/2026-10/ beside the config")
          .example("$0 build --period 2026-Q4 --out audit/q4", "Quarterly package"),
      (a) => run(import("./commands/build.ts").then((m) => m.buildCommand(a as unknown as GlobalOptions & { period: string; out?: string; asOf?: string; signKey?: string; force?: boolean; includeStore?: boolean }))),
    )
    .command(
      "controls",
      "List the control catalog, the rules that test each control and their last status",
      (y) => y.example("$0 controls --json", "Catalog as JSON"),
      (a) => run(import("./commands/controls.ts").then((m) => m.controlsCommand(a as unknown as GlobalOptions))),
    )
    .command(
      "check",
      "CI gate on the period's stored build: exit 1 when coverage is under the minimum or fell, a control got worse, a new finding reached the fail level or a risk acceptance expired",
      (y) =>
        y
          .option("period", { alias: "p", type: "string", demandOption: true, describe: PERIOD_HELP })
          .option("baseline", { type: "string", default: "previous", describe: "Compare with: previous (the previous period's build) or a baseline file (evidence baseline write)" })
          .option("min-coverage", { type: "string", array: true, describe: "Minimum share of controls tested: 0.9 overall, soc2=0.9 per framework (default: thresholds.minCoverage)" })
          .option("coverage-tolerance", { type: "number", describe: "Allowed coverage drop against the baseline, 0-1 (default: thresholds.coverageTolerance)" })
          .option("fail-on", { type: "string", array: true, describe: "Severities (new findings at or above fail) and statuses (any control in one fails), e.g. high,deficient; none (default: thresholds.failOn)" })
          .option("max-new-findings", { type: "number", describe: "Most new open findings allowed (default: thresholds.maxNewFindings)" })
          .option("allow-incomplete", { type: "boolean", describe: "Pass even when a control rests on a population that may be incomplete (a source that stopped early); by default that fails" })
          .option("junit", { type: "string", describe: "Write JUnit XML: one test case per control" })
          .option("sarif", { type: "string", describe: "Write SARIF 2.1.0: findings located in settings, IAM policy and register files" })
          .option("markdown", { type: "string", describe: "Write a Markdown summary (default: appended to $GITHUB_STEP_SUMMARY when set)" })
          .example("$0 check --period 2026-10 --baseline baseline.json", "Gate against a committed baseline")
          .example("$0 check --period 2026-10 --min-coverage 0.8 --min-coverage soc2=0.9 --fail-on high,deficient", "Stricter thresholds")
          .example("$0 check --period 2026-10 --junit out/evidence.xml --sarif out/evidence.sarif", "Reports for CI UIs"),
      (a) => run(import("./commands/check.ts").then((m) => m.checkCommand(a as unknown as CheckArgs))),
    )
    .command(
      "baseline",
      "Baseline files for check",
      (y) =>
        y
          .command(
            "write",
            "Write a period's stored results as a baseline file to commit and review (sorted, pretty JSON)",
            (w) =>
              w
                .option("period", { alias: "p", type: "string", describe: `${PERIOD_HELP} (default: the latest build)` })
                .option("out", { alias: "o", type: "string", describe: "Baseline file (default: baseline.json beside the config)" })
                .example("$0 baseline write --period 2026-10", "Record October as the baseline"),
            (a) => run(import("./commands/baseline.ts").then((m) => m.baselineWriteCommand(a as unknown as BaselineWriteArgs))),
          )
          .demandCommand(1, "Name a baseline command: write."),
    )
    .command(
      "hook <action>",
      "Agent logging hook. `evidence hook --agent NAME` (run by the agent) appends the payload on stdin to a hash-chained daily log; `hook install` adds it to the agent's hook configuration",
      (y) =>
        y
          .positional("action", { type: "string", choices: ["install"], describe: "install" })
          .option("agent", { type: "string", choices: ["claude-code", "codex", "copilot-cli", "cursor", "gemini", "kiro", "windsurf"], demandOption: true, describe: "The agent" })
          .option("scope", { type: "string", choices: ["user", "project"], default: "user", describe: "The user's hook configuration (~/.claude, ~/.gemini, ~/.copilot/hooks, …) or the project's (.claude, .gemini, .github/hooks, … here)" })
          .option("dir", { type: "string", describe: "Log folder the hook writes under (default ~/.evidence/hooks)" })
          .option("fail-closed", { type: "boolean", default: false, describe: "Install the hook so that a logging failure blocks the agent's action" })
          .option("dry-run", { type: "boolean", default: false, describe: "Print the change, write nothing" })
          .example("$0 hook install --agent claude-code", "Log every Claude Code tool call to ~/.evidence/hooks/claude-code/")
          .example("$0 hook install --agent cursor --scope project --dry-run", "Show the change to .cursor/hooks.json"),
      (a) => run(import("./commands/hook-install.ts").then((m) => m.hookInstall(a as unknown as HookInstallArgs, (line) => process.stdout.write(`${line}\n`)))),
    )
    .command(
      "tabletop",
      "Tabletop exercise: replay a destructive agent action against the period's evidence and answer each question (stopped, detected, not stopped, unknown); lists the scenarios without --scenario",
      (y) =>
        y
          .option("scenario", { alias: "s", type: "string", describe: "A scenario id, or all (default: list the scenarios)" })
          .option("period", { alias: "p", type: "string", describe: `${PERIOD_HELP} (a period already built)` })
          .option("out", { alias: "o", type: "string", describe: "Package folder to add tabletop/<scenario>.md and .pdf to (default: reports/<period>/ beside the config)" })
          .example("$0 tabletop", "List the scenarios")
          .example("$0 tabletop --scenario delete-production-stack --period 2026-10", "Replay the December 2025 incident against October's evidence"),
      (a) => run(import("./commands/tabletop.ts").then((m) => m.tabletopCommand(a as unknown as TabletopArgs))),
    )
    .command(
      "purge",
      "Delete raw records older than a date from the store (builds and file provenance are kept)",
      (y) =>
        y
          .option("before", { type: "string", demandOption: true, describe: "Cutoff: a date (2026-01-01), a period (2026-Q1) or an ISO time" })
          .option("dry-run", { type: "boolean", default: false, describe: "Count what would be deleted, delete nothing" })
          .example("$0 purge --before 2025-01-01", "Keep only records from 2025 on"),
      (a) => run(import("./commands/purge.ts").then((m) => m.purgeCommand(a as unknown as GlobalOptions & { before: string; dryRun: boolean }))),
    )
    .command(
      "pushdown <engine>",
      "Print the SQL that has Athena or CloudTrail Lake compute the CloudTrail rows and counts evidence needs; ingest its CSV results",
      (y) =>
        y
          .positional("engine", { type: "string", choices: ["athena", "lake"], demandOption: true, describe: "athena (the CloudTrail table with partition projection) or lake" })
          .option("period", { alias: "p", type: "string", demandOption: true, describe: PERIOD_HELP })
          .option("table", { type: "string", describe: "Athena table (default cloudtrail_logs_pp) or Lake event data store id" })
          .example("$0 pushdown athena --period 2026-10", "SQL for the month over cloudtrail_logs_pp")
          .example("$0 pushdown lake --period 2026-10 --table EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE", "SQL for an event data store"),
      (a) => run(import("./commands/pushdown.ts").then((m) => m.pushdownCommand(a as unknown as PushdownArgs))),
    )
    .command(
      "verify <dir>",
      "Re-hash an evidence package against its manifest and check its signature; exit 1 when anything changed",
      (y) =>
        y
          .positional("dir", { type: "string", demandOption: true, describe: "Package folder" })
          .option("public-key", { type: "string", describe: "Ed25519 public key (PEM): the package signature must verify with it" })
          .example("$0 verify reports/2026-10", "Check a package")
          .example("$0 verify reports/2026-10 --public-key evidence.pub", "Check hashes and signature"),
      (a) => run(import("./commands/verify.ts").then((m) => m.verifyCommand(a as unknown as GlobalOptions & { dir: string; publicKey?: string }))),
    )
    .demandCommand(1, "Name a command: init, ingest, build, controls, check, baseline, hook, pushdown, tabletop, verify or purge.")
    .strict()
    .epilogue("Exit codes: 0 ok, 1 check failed, 2 usage or input error.")
    .help()
    .alias("help", "h")
    .version(TOOL_VERSION)
    // The terminal's width on a TTY (at most 110 for readability); 100 when piped to a file or a CI log.
    .wrap(Math.min(110, process.stdout.isTTY ? process.stdout.columns : 100));
}

/** The one place errors become exit codes: usage and input problems are one line and exit 2; anything else is a bug. */
export async function main(argv: string[]): Promise<number> {
  let pending: Promise<number> | undefined;
  try {
    await parser(argv, (p) => (pending = p))
      .fail((message, error) => {
        throw error ?? new UsageError(message);
      })
      .parseAsync();
    return pending ? await pending : ExitCode.ok;
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) {
      // Messages quote input (paths, values, record excerpts): show its control characters.
      process.stderr.write(`evidence: ${visibleText(error.message)}\n`);
      return ExitCode.usage;
    }
    process.stderr.write(`evidence: internal error (please report it):\n${visibleText((error as Error).stack ?? String(error))}\n`);
    return ExitCode.usage;
  }
}
