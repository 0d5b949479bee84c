import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";

/**
 * Worker threads that read YAML for the loader while the main thread validates what is
 * already read. Used for large desired states only (starting a worker costs more than a
 * small tree takes to parse). Any failure of the pool means "parse here": it never loses a
 * file or changes a result, only where the parsing happens.
 */

/** Below this many bytes of YAML the loader parses in its own thread. */
export const POOL_THRESHOLD_BYTES = 512 * 1024;

const WORKER_FILE = fileURLToPath(new URL("./parse-worker.js", import.meta.url));

interface Slot {
  worker: Worker;
  pending: number;
}

let slots: Slot[] | undefined;
let broken = false;
let nextId = 0;
let parsedOnWorkers = 0;
let turn = 0;
const waiting = new Map<number, { slot: Slot; resolve: (values: unknown[] | undefined) => void }>();

/** Whether the pool can be used: a compiled worker script exists (not when running from TypeScript sources). */
export function parsePoolAvailable(): boolean {
  return !broken && existsSync(WORKER_FILE);
}

function start(): Slot[] {
  // One per core, up to 4: while they parse, the main thread mostly waits for their answers.
  const count = Math.max(1, Math.min(4, availableParallelism()));
  return Array.from({ length: count }, () => {
    const worker = new Worker(WORKER_FILE);
    const slot: Slot = { worker, pending: 0 };
    worker.unref(); // idle workers never keep the process alive
    worker.on("message", (m: { id: number; json: string | null }) => {
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      settle(w.slot);
      if (m.json !== null) parsedOnWorkers++;
      w.resolve(m.json === null ? undefined : (JSON.parse(m.json) as unknown[]));
    });
    const fail = (): void => {
      broken = true;
      for (const [id, w] of waiting) {
        if (w.slot !== slot) continue;
        waiting.delete(id);
        w.resolve(undefined);
      }
    };
    worker.on("error", fail);
    worker.on("exit", fail);
    return slot;
  });
}

function settle(slot: Slot): void {
  slot.pending--;
  if (slot.pending === 0) slot.worker.unref();
}

/**
 * The fast path's values for a file's text, read on a worker thread; undefined when the main
 * thread must parse it (the full parser's cases, or the pool is unavailable).
 */
export function valuesFromPool(text: string): Promise<unknown[] | undefined> {
  if (broken) return Promise.resolve(undefined);
  slots ??= start();
  const slot = slots[turn++ % slots.length]!;
  const id = nextId++;
  if (slot.pending++ === 0) slot.worker.ref(); // keep the process alive while an answer is due
  return new Promise((resolve) => {
    waiting.set(id, { slot, resolve });
    slot.worker.postMessage({ id, text });
  });
}

/** How many files worker threads have parsed in this process (for tests and diagnostics). */
export function filesParsedOnWorkers(): number {
  return parsedOnWorkers;
}
