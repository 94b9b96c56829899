/**
 * Cuts free text that parsers shorten before the redactor sees it (tool arguments, error lines, git
 * stderr). A plain slice can split a secret: `AKIA…` cut after 12 characters no longer matches its
 * pattern and the first 12 characters are stored. So a cut that lands inside a token drops the
 * whole token: what is kept is whole tokens only, each still recognisable by the redactor.
 *
 * A token is a run of characters a credential can contain (letters, digits and `+/=_-.:@%&?~!$*#`):
 * only whitespace, quotes and brackets end one, so a `user:password@host` URL or a
 * `token=value&x=y` query is one token, kept whole or dropped whole.
 */
/**
 * Part of every file's context hash (src/ingest/index.ts): files stored before text was clipped at
 * token boundaries and IAM principals were redacted are read again, so no earlier half-secret stays.
 */
export const REDACTION_RULES = "clip-at-token-boundary, iam-redacted, named-values, redacted-paths";

const TOKEN_CHAR = /[^\s"'`,;<>()[\]{}|\\]/;

/** The first `max` characters of `text`, moved back to the start of a token the cut would split. */
export function clipAtTokenBoundary(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  // Only a cut between two token characters splits a token.
  if (TOKEN_CHAR.test(text[end - 1]!) && TOKEN_CHAR.test(text[end]!)) {
    while (end > 0 && TOKEN_CHAR.test(text[end - 1]!)) end--;
  }
  return text.slice(0, end);
}

/** clipAtTokenBoundary plus a marker saying how long the text was, as tool arguments show it. */
export function clipWithLength(text: string, max: number): string {
  return text.length <= max ? text : `${clipAtTokenBoundary(text, max)}…(${text.length} chars)`;
}
