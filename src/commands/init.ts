import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InputError } from "../errors.ts";
import { type GlobalOptions, output } from "./context.ts";

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

# What is production.
environments:
  production:
    awsAccounts: []             # 12-digit account ids
    branches: [main]
    paths: []                   # working-directory globs, e.g. /srv/prod/**
    resourcePatterns: []        # e.g. prod-*

# Registers kept as files next to this config.
registers:
  riskAcceptances: registers/risk-acceptances.yaml
  aiTools: registers/ai-tools.yaml
  vendors: registers/vendors.yaml
  policies: registers/policies.yaml
  configBaselines: registers/config-baselines.yaml

thresholds:
  minCoverage: 0.8              # evidence check fails below this share of controls tested
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
  "registers/ai-tools.yaml": "# Every agentic tool in use: product, owner, permitted environments, permission boundary.\ntools: []\n",
  "registers/vendors.yaml": "# Vendors (model and MCP providers): tier, last assessment, next due.\nvendors: []\n",
  "registers/policies.yaml": "# Procedures and policy acknowledgements.\ndocuments: []\nacknowledgements: []\n",
  "registers/config-baselines.yaml": "# Required agent settings, e.g. deny rules for destructive commands, bypass disabled.\nbaselines: []\n",
};

export interface InitArgs extends GlobalOptions {
  dir: string;
}

export async function initCommand(args: InitArgs): Promise<number> {
  const root = path.resolve(args.dir);
  const files: Record<string, string> = { "evidence.config.yaml": STARTER_CONFIG, ...REGISTERS };
  const existing = Object.keys(files).filter((f) => existsSync(path.join(root, f)));
  if (existing.length) {
    throw new InputError(`refusing to overwrite existing file${existing.length > 1 ? "s" : ""} in ${root}: ${existing.join(", ")}`);
  }
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content, { flag: "wx" });
  }
  output(args, { created: Object.keys(files), dir: root }, () => `Created a starter workspace in ${root}:\n${Object.keys(files).map((f) => `  ${f}`).join("\n")}\nEdit evidence.config.yaml, then run: evidence build --period <YYYY-MM>`);
  return 0;
}
