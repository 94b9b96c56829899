import picomatch from "picomatch";
import type { AgentIdentity, Config } from "../config.ts";
import type { Environment } from "../event.ts";

/**
 * Turns the config's agent identities and environments into fast matchers. Built once per run;
 * the parsers call it per record, so everything is precompiled here.
 */
export interface EnrichContext {
  environmentOfAccount(account: string | null): Environment;
  environmentOfAgentAction(cwd: string | null, command: string | null): Environment;
  isProductionBranch(branch: string): boolean;
  /** CloudTrail attribution: the agent identity and the signal that matched, strongest first. */
  attributeAwsPrincipal(p: AwsPrincipalSignals): Attribution | null;
  /** Session-tag matchers per agent (`key=value` from the config), applied to AssumeRole events after ingest. */
  sessionTagMatchers(): { agentId: string; product: string; matches(tags: { key: string; value: string }[]): boolean }[];
  agentForProduct(product: string): string | null;
  agentForGitEmail(email: string): AgentIdentity | null;
}

export interface AwsPrincipalSignals {
  roleArn: string | null;
  roleName: string | null;
  sessionName: string | null;
  userAgent: string | null;
  /** `userIdentity.sessionContext.sourceIdentity`: set when the role was assumed, kept across role chaining. */
  sourceIdentity?: string | null;
  /** `userIdentity.invokedBy`: the service acting for the caller (the AWS MCP server names itself here). */
  invokedBy?: string | null;
}

/**
 * Which signal tied a CloudTrail call to an agent, strongest first: a dedicated role, session
 * tags or sourceIdentity set at AssumeRole are deliberate and hard to fake (high); a session name
 * or the AWS MCP server context are conventions (medium); a user-agent marker or a time and
 * command match with the agent's own log are circumstantial (low).
 */
export interface Attribution {
  agentId: string;
  product: string;
  signal: "role" | "source-identity" | "session-tag" | "session-name" | "mcp" | "user-agent" | "time-correlation";
  confidence: "high" | "medium" | "low";
}

const glob = (patterns: string[]) => (patterns.length ? picomatch(patterns, { nocase: true, dot: true }) : () => false);

export function createEnrichContext(config: Config): EnrichContext {
  const prod = config.environments.production;
  const prodAccounts = new Set(prod.awsAccounts);
  const prodPath = glob(prod.paths);
  const prodResource = glob(prod.resourcePatterns);
  const prodBranch = glob(prod.branches);
  const agents = config.agents.map((a) => ({
    agent: a,
    role: glob(a.match.awsRoles),
    session: glob(a.match.awsSessionNames),
    markers: a.match.userAgentMarkers.map((m) => m.toLowerCase()),
    sourceIdentity: glob(a.match.awsSourceIdentities),
    mcp: a.match.awsMcpMarkers.map((m) => m.toLowerCase()),
    tags: a.match.awsSessionTags.map((t) => {
      const eq = t.indexOf("=");
      return { key: t.slice(0, eq), value: picomatch(t.slice(eq + 1), { nocase: true, dot: true }) };
    }),
    emails: new Set(a.match.gitEmails.map((e) => e.toLowerCase())),
    products: new Set([a.product, ...a.match.logProducts]),
  }));

  return {
    environmentOfAccount(account) {
      if (!account || prodAccounts.size === 0) return "unknown";
      return prodAccounts.has(account) ? "production" : "non-production";
    },
    environmentOfAgentAction(cwd, command) {
      if (cwd && prodPath(cwd)) return "production";
      if (command) {
        for (const token of command.split(/[\s"'=,:/]+/)) {
          if (token && (prodAccounts.has(token) || prodResource(token))) return "production";
        }
      }
      return prod.paths.length || prod.resourcePatterns.length ? "non-production" : "unknown";
    },
    isProductionBranch: (branch) => prodBranch(branch),
    attributeAwsPrincipal({ roleArn, roleName, sessionName, userAgent, sourceIdentity, invokedBy }) {
      const ua = userAgent?.toLowerCase() ?? "";
      for (const a of agents) {
        if ((roleArn && a.role(roleArn)) || (roleName && a.role(roleName))) {
          return { agentId: a.agent.id, product: a.agent.product, signal: "role", confidence: "high" };
        }
      }
      for (const a of agents) {
        if (sourceIdentity && a.sourceIdentity(sourceIdentity)) return { agentId: a.agent.id, product: a.agent.product, signal: "source-identity", confidence: "high" };
      }
      for (const a of agents) {
        if (sessionName && a.session(sessionName)) return { agentId: a.agent.id, product: a.agent.product, signal: "session-name", confidence: "medium" };
      }
      const via = `${invokedBy ?? ""} ${ua}`.toLowerCase();
      for (const a of agents) {
        if (a.mcp.some((m) => via.includes(m))) return { agentId: a.agent.id, product: a.agent.product, signal: "mcp", confidence: "medium" };
      }
      for (const a of agents) {
        if (ua && a.markers.some((m) => ua.includes(m))) return { agentId: a.agent.id, product: a.agent.product, signal: "user-agent", confidence: "low" };
      }
      return null;
    },
    sessionTagMatchers() {
      return agents
        .filter((a) => a.tags.length)
        .map((a) => ({
          agentId: a.agent.id,
          product: a.agent.product,
          matches: (tags: { key: string; value: string }[]) => a.tags.every((t) => tags.some((x) => x.key.toLowerCase() === t.key.toLowerCase() && t.value(x.value))),
        }));
    },
    agentForProduct(product) {
      return agents.find((a) => a.products.has(product))?.agent.id ?? null;
    },
    agentForGitEmail(email) {
      return agents.find((a) => a.emails.has(email.toLowerCase()))?.agent ?? null;
    },
  };
}
