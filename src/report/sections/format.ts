import type { ControlStatus } from "../../evaluate.ts";

/** Shared wording and colours for the core PDF sections. */
export const STATUS_COLOR: Record<ControlStatus, string> = {
  effective: "#1b7f3b",
  exceptions: "#b7791f",
  deficient: "#c53030",
  "not-tested": "#8a8f98",
  manual: "#2b6cb0",
};
export const STATUSES: ControlStatus[] = ["effective", "exceptions", "deficient", "not-tested", "manual"];
export const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 } as const;

export const pct = (r: number) => `${(r * 100).toFixed(0)}%`;
export const plural = (n: number, word: string, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;
export const count = (n: number) => n.toLocaleString("en-US");
