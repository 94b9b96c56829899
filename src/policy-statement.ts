/**
 * An IAM policy statement as the store keeps it and the IAM review reads it (AWS IAM User Guide,
 * "IAM JSON policy elements reference"): its effect, its Action or NotAction patterns as written,
 * whether it covers every resource, and whether a Condition limits it.
 */
export interface Statement {
  effect: "Allow" | "Deny";
  actions: string[] | null;
  notActions: string[] | null;
  allResources: boolean;
  conditional: boolean;
}

/**
 * A principal's policies as stored: one row per statement, its action patterns unexpanded, so
 * an administrator costs a few rows rather than one per action (a dump of 300 `Action: "*"`
 * roles once expanded to millions of grant rows). A permissions boundary is kept as `boundary`
 * statements; a boundary without any Allow still caps everything, so it keeps one empty row.
 */
export interface PolicyStatement extends Statement {
  policy: string;
  role: "policy" | "boundary";
}
