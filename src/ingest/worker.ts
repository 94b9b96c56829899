import { parentPort, workerData } from "node:worker_threads";
import type { Config } from "../config.ts";
import { InputError } from "../errors.ts";
import { createTaskEnv, runFileTask, type FileTask } from "./file-task.ts";
import { FILE_PARSERS } from "./registry.ts";
import { MAX_UNACKED, type FromWorker, type ToWorker } from "./pool.ts";

/**
 * A parsing worker (src/ingest/pool.ts): reads, hashes, parses, summarises and redacts one file at a
 * time and posts the batches; agent-log rows go built but not redacted, for the writer to gate and
 * redact (runFileTask's agentRowsOnWriter). It waits for the main thread to take batches before
 * posting more than MAX_UNACKED, so a file far ahead of the writer holds a few batches, never the
 * whole file.
 */
const port = parentPort!;
const env = createTaskEnv((workerData as { config: Config }).config, FILE_PARSERS);
/** Batches posted and not yet taken by the writer, over all of this worker's tasks. */
let unacked = 0;
let wake: (() => void) | null = null;
/** Tasks run one after another, in the order given (the pool hands out a few ahead). */
let queue: Promise<void> = Promise.resolve();

port.on("message", (m: ToWorker) => {
  if (m.type === "ack") {
    unacked--;
    wake?.();
    wake = null;
  } else queue = queue.then(() => run(m.id, m.task));
});

function post(m: FromWorker): void {
  port.postMessage(m);
}

async function run(id: number, task: FileTask): Promise<void> {
  try {
    for await (const m of runFileTask(task, env, true)) {
      if (m.type === "items") {
        while (unacked >= MAX_UNACKED) await new Promise<void>((resolve) => (wake = resolve));
        unacked++;
      }
      post({ id, message: m });
    }
  } catch (error) {
    post({ id, error: { message: (error as Error).message, input: error instanceof InputError, stack: (error as Error).stack ?? "" } });
  }
}
