import { visibleText } from "./visible-text.ts";

/**
 * Progress goes to stderr so stdout stays clean for --json. On a TTY the current step is one live
 * line rewritten in place; otherwise (CI, pipes) each step is a plain line.
 */
export interface Progress {
  /** A line worth keeping in the log. */
  info(message: string): void;
  /** A transient status; on a TTY it overwrites the previous one. */
  update(message: string): void;
  /** Clears the live line. */
  done(): void;
}

export function createProgress(options: { quiet: boolean; stream?: NodeJS.WriteStream }): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { info() {}, update() {}, done() {} };
  const live = stream.isTTY === true;
  let showing = false;
  const clear = () => {
    if (showing) stream.write("\r\x1b[2K");
    showing = false;
  };
  return {
    info(message) {
      clear();
      stream.write(`${visibleText(message)}\n`);
    },
    update(message) {
      if (!live) return;
      clear();
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      // One line that the next update erases: a newline from input would leave it behind.
      const line = visibleText(message).replaceAll("\n", " ");
      stream.write(line.length > width ? `${line.slice(0, width - 1)}…` : line);
      showing = true;
    },
    done: clear,
  };
}
