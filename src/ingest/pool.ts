import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Config } from "../config.ts";
import { InputError } from "../errors.ts";
import { runFileTask, type FileTask, type TaskEnv, type TaskMessage } from "./file-task.ts";

/**
 * Files are parsed in parallel, one per worker thread, while the main thread stays the single
 * SQLite writer and applies each file's batches in file order (so the store is the same whatever
 * finished first). A worker holds at most MAX_UNACKED batches the writer has not taken, so memory
 * is bounded by workers x MAX_UNACKED x BATCH_ITEMS whatever the inputs.
 *
 * Small ingests run the same task inline: starting workers (loading the parsers in each) costs
 * more than it saves below POOL_MIN_BYTES of input to read.
 */
export const MAX_UNACKED = 4;
export const POOL_MIN_BYTES = 16 * 1024 * 1024;

export type ToWorker = { type: "task"; id: number; task: FileTask } | { type: "ack" };
export type FromWorker = { id: number; message: TaskMessage } | { id: number; error: { message: string; input: boolean; stack: string } };

/** What the writer reads for one file: the task's messages, in order. */
export type TaskRun = AsyncIterable<TaskMessage>;

export interface TaskRunner {
  run(task: FileTask): TaskRun;
  close(): Promise<void>;
}

/** Runs tasks one after another on this thread, lazily (nothing is read before the writer asks). */
export function inlineRunner(env: TaskEnv): TaskRunner {
  return { run: (task) => runFileTask(task, env), close: async () => {} };
}

/** Workers: os.availableParallelism(), or EVIDENCE_WORKERS when set (0 runs inline). */
export function defaultWorkerCount(): number {
  const env = process.env.EVIDENCE_WORKERS;
  return env !== undefined && /^\d+$/.test(env) ? Number(env) : availableParallelism();
}

class Stream implements AsyncIterable<TaskMessage> {
  private readonly queue: (TaskMessage | Error)[] = [];
  private waiting: (() => void) | null = null;
  constructor(private readonly ack: () => void) {}

  push(m: TaskMessage | Error): void {
    this.queue.push(m);
    this.waiting?.();
    this.waiting = null;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<TaskMessage> {
    for (;;) {
      while (!this.queue.length) await new Promise<void>((resolve) => (this.waiting = resolve));
      const m = this.queue.shift()!;
      if (m instanceof Error) throw m;
      if (m.type === "items") this.ack();
      yield m;
      if (m.type === "done" || m.type === "unchanged") return;
    }
  }
}

interface Slot {
  worker: Worker;
  current: { id: number; stream: Stream } | null;
  /** A worker that crashed or exited takes no more tasks. */
  dead: boolean;
}

/**
 * tsx runs our TypeScript. Node 20 does not carry module hooks (`--import tsx`, or tsx registered
 * from code as bin/evidence.js does) into worker threads, so each worker registers tsx first.
 */
function startWorker(config: Config): Worker {
  const url = new URL("./worker.ts", import.meta.url);
  const api = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(boot, { eval: true, workerData: { config } });
}

export function workerRunner(config: Config, size: number): TaskRunner {
  const slots: Slot[] = [];
  const queue: { id: number; task: FileTask; stream: Stream }[] = [];
  let nextId = 0;
  let closed = false;

  const dispatch = () => {
    if (slots.every((s) => s.dead)) {
      // Nothing left to run them: fail the waiting tasks rather than leave the writer waiting forever.
      for (const job of queue.splice(0)) job.stream.push(new Error("every parsing worker has stopped"));
      return;
    }
    for (const slot of slots) {
      if (slot.dead || slot.current || !queue.length) continue;
      const job = queue.shift()!;
      slot.current = { id: job.id, stream: job.stream };
      slot.worker.postMessage({ type: "task", id: job.id, task: job.task } satisfies ToWorker);
    }
  };

  for (let i = 0; i < size; i++) {
    const slot: Slot = { worker: startWorker(config), current: null, dead: false };
    slot.worker.on("message", (m: FromWorker) => {
      const current = slot.current;
      if (!current || current.id !== m.id) return;
      if ("error" in m) {
        const error = m.error.input ? new InputError(m.error.message) : Object.assign(new Error(m.error.message), { stack: m.error.stack });
        current.stream.push(error);
      } else current.stream.push(m.message);
      if ("error" in m || m.message.type === "done" || m.message.type === "unchanged") {
        slot.current = null;
        dispatch();
      }
    });
    const stop = (error: Error) => {
      if (slot.dead) return;
      slot.dead = true;
      slot.current?.stream.push(error);
      slot.current = null;
      dispatch();
    };
    slot.worker.on("error", stop);
    slot.worker.on("exit", (code) => {
      if (!closed) stop(new Error(`parsing worker exited (code ${code})`));
    });
    slots.push(slot);
  }

  return {
    run(task) {
      if (closed) throw new Error("worker pool closed");
      const id = nextId++;
      // Acks go to whichever worker holds the task when the writer takes a batch.
      const stream = new Stream(() => slots.find((s) => s.current?.id === id)?.worker.postMessage({ type: "ack" } satisfies ToWorker));
      queue.push({ id, task, stream });
      dispatch();
      return stream;
    },
    async close() {
      closed = true;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
