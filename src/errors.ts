/** Exit codes shared by every command: 0 ok, 1 a gate failed, 2 usage or input error. */
export const ExitCode = { ok: 0, checkFailed: 1, usage: 2 } as const;

/** The user asked for something malformed (bad flag, bad period). */
export class UsageError extends Error {
  override name = "UsageError";
}

/** An input file (config, register, catalog) is invalid. The message names the file and the place. */
export class InputError extends Error {
  override name = "InputError";
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}
