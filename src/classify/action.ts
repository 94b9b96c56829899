import toolClasses from "./tool-classes.json" with { type: "json" };
import { classifyCommand } from "./shell.ts";

const SHELL = new Set(toolClasses.shellTools);
const BY_TOOL = new Map<string, string[]>();
for (const [cls, tools] of Object.entries(toolClasses.classes)) {
  for (const tool of tools) BY_TOOL.set(tool, [...(BY_TOOL.get(tool) ?? []), cls]);
}

/**
 * Bumped whenever the classes given to a tool call or command change (command-patterns.json, the shell
 * parser, tool-classes.json): agent-log parsers carry it in their version (calls.ts withClassifier), so
 * files ingested under an older classifier are re-read. 2: inline interpreter code, --flag=true forms,
 * rm without operands, linear nesting with an unclassifiable depth cap.
 */
export const CLASSIFIER_VERSION = "2";

export interface ActionClassification {
  classes: string[];
  /** Which pattern or tool rule decided, for the evidence trail. */
  basis: string;
}

/** Classifies an agent tool call from its tool name and, for shell tools, its command. */
export function classifyToolCall(toolName: string, command: string | string[] | null): ActionClassification {
  const name = toolName.toLowerCase();
  if (SHELL.has(name) && command !== null && command.length > 0) {
    const result = classifyCommand(command);
    const basis = result.matches.length ? result.matches.map((m) => m.pattern).join(", ") : "shell command";
    return { classes: result.classes, basis };
  }
  const known = BY_TOOL.get(name);
  if (known) return { classes: known, basis: `tool ${toolName}` };
  // MCP tools are named mcp__<server>__<tool>; a tool whose verb deletes is treated as destructive.
  if (name.startsWith("mcp__") || name.startsWith("mcp:")) {
    const verb = name.split(/__|:/).pop() ?? "";
    if (/(^|_)(delete|drop|destroy|remove|terminate|purge)(_|$)/.test(verb)) return { classes: ["destructive", "execute"], basis: `MCP tool ${toolName}` };
    return { classes: ["execute"], basis: `MCP tool ${toolName}` };
  }
  return { classes: ["execute"], basis: `unknown tool ${toolName}` };
}
