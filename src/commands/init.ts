import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { InputError, UsageError } from "../errors.ts";
import { type GlobalOptions, output } from "./context.ts";

const starterConfig = (production: ProductionScope | null) => STARTER_CONFIG.replace("__ENVIRONMENTS__", environmentsBlock(production));

const STARTER_CONFIG = `# evidence workspace configuration. Every relative path resolves from this file's folder.
# Unknown keys are rejected, so a typo fails loudly instead of silently switching a control off.

organisation:
  name: Example Ltd            # shown on the report cover

report:
  title: AI Agent Governance Evidence
  frameworks: [soc2, iso27001] # narrow the scope here
  timezone: UTC                # IANA zone that periods such as 2026-10 are read in
  sampleSeed: change-me        # seed for reproducible audit samples (printed in the report)

# Where the evidence comes from. kind: claude-code-hooks | cloudtrail | git
sources:
  - name: claude-code
    kind: claude-code-hooks
    paths: ["logs/claude-code/**/*.jsonl"]
  - name: cloudtrail
    kind: cloudtrail
    paths: ["cloudtrail/**/*.json.gz", "cloudtrail/**/*.json"]
  # - name: app
  #   kind: git
  #   repository: ../app        # a repository folder or a git bundle
  #   productionBranch: main

# How to recognise each agent in each source.
agents:
  - id: claude-code
    product: claude-code
    owner: platform-team@example.com
    match:
      awsRoles: ["*ai-agent*"]
      awsSessionNames: ["claude-code-*"]
      userAgentMarkers: ["app/claude-code"]
      gitEmails: ["noreply@anthropic.com"]
      logProducts: [claude-code]

__ENVIRONMENTS__
# Registers kept as files next to this config.
registers:
  riskAcceptances: registers/risk-acceptances.yaml
  aiTools: registers/ai-tools.yaml
  vendors: registers/vendors.yaml
  policies: registers/policies.yaml
  configBaselines: registers/config-baselines.yaml

thresholds:
  # Manual controls count in the denominator, so coverage can reach only the share of controls
  # with automated rules (9 of the package's 40; \`evidence controls\` lists which are manual).
  minCoverage: 0.2              # evidence check fails below this share of controls tested
  # minCoverageByFramework: { soc2: 0.9 }
  coverageTolerance: 0          # how far coverage may fall below the baseline's (0.05 = 5 points)
  failOn: [high]                # new open findings at or above high fail check; add statuses such as deficient
  # maxNewFindings: 0
  maxAcceptanceDays: 365        # longest a risk acceptance may run
  acceptanceWarningDays: 30     # check flags acceptances covering findings that expire this soon after the period
  acceptanceExpiring: warn      # ...and warns, or fails with: fail
`;

const REGISTERS: Record<string, string> = {
  "registers/risk-acceptances.yaml": "# Risk acceptances: id, findings or controls, owner, approver (not the owner), approved, expires.\nacceptances: []\n",
  "registers/ai-tools.yaml": `# Every agentic tool in use: product, owner, the environments it may act in and its action boundary
# in action classes (read, write, execute, network, credential-access, destructive, irreversible,
# privilege-change, logging-tamper). A class in none of the lists is not permitted. Every agent
# action and every AWS call by an agent identity is tested against its tool's boundary; a tool in
# use without a boundary is a finding.
tools:
  - product: claude-code
    owner: platform-team@example.com       # replace with the team that owns the tool
    environments: [non-production]         # production, non-production (as environments.production defines them)
    permissionBoundary:
      permitted: [read, write, execute, network]
      prohibited: [credential-access, privilege-change, logging-tamper, irreversible]
      confirmFirst: [destructive]          # allowed only after a person confirms
`,
  "registers/vendors.yaml": "# Vendors (model and MCP providers): tier, last assessment, next due.\nvendors: []\n",
  "registers/policies.yaml": "# Procedures and policy acknowledgements.\ndocuments: []\nacknowledgements: []\n",
  "registers/config-baselines.yaml": "# Required agent settings, e.g. deny rules for destructive commands, bypass disabled.\nbaselines: []\n",
};

/** What `init` writes under `environments.production`; null when nobody said (the placeholder). */
export interface ProductionScope {
  awsAccounts: string[];
  branches: string[];
  paths: string[];
}

const ACCOUNT = /^\d{12}$/;
const DEFAULT_BRANCHES = ["main"];

/** A YAML flow list of quoted strings: account ids stay strings (unquoted, YAML would read a number). */
const flow = (items: string[]) => `[${items.map((i) => JSON.stringify(i)).join(", ")}]`;

function environmentsBlock(production: ProductionScope | null): string {
  if (!production) {
    // Without production accounts, paths or resource patterns no agent action or cloud call can be
    // placed in production, so rules about production would have nothing to test: say so loudly.
    return `# What is production.
# !! NOT DEFINED YET: init was not told what production is (no answers on a terminal, no
# !! --production-* flags). Until awsAccounts, paths or resourcePatterns below are filled in,
# !! no agent action or AWS call counts as production, so the rules about production actions
# !! have nothing to test (git changes use branches). Fill them in, or re-run:
# !!   evidence init --production-account <id> --production-path <glob>
environments:
  production:
    awsAccounts: []             # NOT SET: 12-digit account ids, e.g. ["111122223333"]
    branches: [main]            # git branches whose history is production
    paths: []                   # NOT SET: working-directory globs, e.g. ["/srv/prod/**"]
    resourcePatterns: []        # NOT SET: e.g. ["prod-*"]
`;
  }
  return `# What is production.
environments:
  production:
    awsAccounts: ${flow(production.awsAccounts)}${production.awsAccounts.length ? "" : "             # none given: 12-digit account ids"}
    branches: ${flow(production.branches)}
    paths: ${flow(production.paths)}${production.paths.length ? "" : "                   # none given: working-directory globs, e.g. /srv/prod/**"}
    resourcePatterns: []        # e.g. prod-*
`;
}

/** Splits an answer or a repeated flag's values on commas and white space, without duplicates. */
const items = (values: readonly string[]) => [...new Set(values.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean))];

const badAccounts = (accounts: string[]) => accounts.filter((a) => !ACCOUNT.test(a));

/** The production scope given by the `--production-*` flags, or null when none was given. */
export function productionFromFlags(args: Pick<InitArgs, "productionAccount" | "productionBranch" | "productionPath">): ProductionScope | null {
  if (![args.productionAccount, args.productionBranch, args.productionPath].some((f) => f?.length)) return null;
  const awsAccounts = items(args.productionAccount ?? []);
  const bad = badAccounts(awsAccounts);
  if (bad.length) throw new UsageError(`invalid --production-account ${bad.map((b) => `"${b}"`).join(", ")}: expected a 12-digit AWS account id`);
  const branches = items(args.productionBranch ?? []);
  return { awsAccounts, branches: branches.length ? branches : DEFAULT_BRANCHES, paths: items(args.productionPath ?? []) };
}

/**
 * Asks for the production accounts, branches and paths, one line each, on a terminal (prompts on
 * `out`, which is stderr, so --json output stays clean). An invalid account list is asked again;
 * an empty answer keeps the default. Returns null if the input ends before the questions do.
 */
export async function askProduction(input: Readable, out: Writable): Promise<ProductionScope | null> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  const lines = rl[Symbol.asyncIterator]();
  const ask = async (question: string): Promise<string | null> => {
    out.write(question);
    const next = await lines.next();
    return next.done ? null : (next.value as string);
  };
  try {
    out.write("Which environment is production? Rules about production test only what these name.\n");
    let awsAccounts: string[] | null = null;
    while (awsAccounts === null) {
      const answer = await ask("  Production AWS account ids (12 digits, comma-separated; empty for none): ");
      if (answer === null) return null;
      const bad = badAccounts(items([answer]));
      if (bad.length) out.write(`  Not a 12-digit AWS account id: ${bad.join(", ")}. Try again.\n`);
      else awsAccounts = items([answer]);
    }
    const branches = await ask(`  Production git branches [${DEFAULT_BRANCHES.join(", ")}]: `);
    if (branches === null) return null;
    const paths = await ask("  Production working-directory globs, e.g. /srv/prod/** (empty for none): ");
    if (paths === null) return null;
    return { awsAccounts, branches: items([branches]).length ? items([branches]) : DEFAULT_BRANCHES, paths: items([paths]) };
  } finally {
    rl.close();
  }
}

export interface InitArgs extends GlobalOptions {
  dir: string;
  productionAccount?: string[] | undefined;
  productionBranch?: string[] | undefined;
  productionPath?: string[] | undefined;
}

/** Where init reads answers and writes prompts; a terminal only when stdin is one. */
export interface InitTerminal {
  input: Readable & { isTTY?: boolean };
  prompts: Writable;
}

export async function initCommand(args: InitArgs, terminal: InitTerminal = { input: process.stdin, prompts: process.stderr }): Promise<number> {
  const root = path.resolve(args.dir);
  const names = ["evidence.config.yaml", ...Object.keys(REGISTERS)];
  const existing = names.filter((f) => existsSync(path.join(root, f)));
  if (existing.length) {
    throw new InputError(`refusing to overwrite existing file${existing.length > 1 ? "s" : ""} in ${root}: ${existing.join(", ")}`);
  }
  const production = productionFromFlags(args) ?? (terminal.input.isTTY ? await askProduction(terminal.input, terminal.prompts) : null);
  const files: Record<string, string> = { "evidence.config.yaml": starterConfig(production), ...REGISTERS };
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content, { flag: "wx" });
  }
  const named = production ? [`Production: AWS accounts ${production.awsAccounts.join(", ") || "none"}; branches ${production.branches.join(", ")}; paths ${production.paths.join(", ") || "none"}.`] : [];
  const undefinedProduction = !production || (production.awsAccounts.length === 0 && production.paths.length === 0);
  const scope = [
    ...named,
    ...(undefinedProduction
      ? ["Production is NOT DEFINED yet: until environments.production in evidence.config.yaml names accounts, paths or resource patterns, no agent action or AWS call counts as production."]
      : []),
  ].join("\n");
  output(args, { created: Object.keys(files), dir: root, production }, () =>
    `Created a starter workspace in ${root}:\n${Object.keys(files).map((f) => `  ${f}`).join("\n")}\n${scope}\nEdit evidence.config.yaml, then run: evidence build --period <YYYY-MM>`,
  );
  return 0;
}
