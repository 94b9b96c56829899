/**
 * Where a finding's evidence is: the record in the store and the exact place in a source file it
 * came from. Rules produce these, correlation extends them, and every output prints them, so the
 * type sits below all of those layers.
 */
export interface EvidenceRef {
  /** `event:<id>`, `commit:<sha>` or `register:<name>:<row>`. */
  ref: string;
  /** Source file, relative to the workspace. */
  file: string;
  /** Line or record inside the file. */
  locator: string;
  /**
   * The stable reference printed in the package: `event:<source kind>:<event key>` (a CloudTrail
   * eventID, a tool_use_id), `commit:<sha>`, `register:<name>:<row>`. Unlike `ref`, it does not
   * depend on the order records entered the store.
   */
  key?: string;
  /** Its place in a correlated chain (prompt, tool-call, cloud-event, commit), when added by correlation. */
  role?: string;
  /** How sure the correlation is, for links that were inferred rather than recorded. */
  confidence?: "high" | "medium" | "low";
}
