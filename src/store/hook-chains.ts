/**
 * What the verification of an `evidence hook` log folder's hash chain found, as the store keeps it
 * (table hook_chains, one JSON result per folder) and the rule and the report read it.
 */
export type ChainProblemKind = "broken-link" | "missing-file" | "unlinked-line" | "restarted";

export interface ChainProblem {
  kind: ChainProblemKind;
  file: string;
  line: number;
  message: string;
}

export interface ChainVerification {
  folder: string;
  files: number;
  lines: number;
  /** Chain starts (`prev: null`) and links into files not collected: facts, not failures. */
  notes: string[];
  problems: ChainProblem[];
}

