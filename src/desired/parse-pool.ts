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

/**
 * A tree of at least this many files is read and parsed on the workers from its first file (the
 * quota-sized fleet is 101 files, 1 MB). A smaller one is read here until its bytes reach
 * POOL_THRESHOLD_BYTES: the files listed say nothing of their sizes.
 */
export const POOL_MIN_FILES = 64;

const WORKER_FILE = fileURLToPath(new URL("./parse-worker.js", import.meta.url));

interface Slot {
  worker: Worker;
  /** Questions sent and not yet answered. */
  pending: number;
}

/** What a worker answers: the fast path's values (undefined: the main thread parses), and for a file it read, its bytes or why it could not. */
export interface PoolAnswer {
  values: unknown[] | undefined;
  bytes?: Uint8Array;
  error?: string;
  /** The pool stopped before answering: nothing was read or parsed there. */
  stopped?: true;
}

interface Question {
  id: number;
  message: { text: string } | { file: string };
  resolve: (answer: PoolAnswer) => void;
}

/**
 * Questions a worker holds at most: enough that it never waits for the main thread to hand it the
 * next, few enough that the workers finish together. Handing them out in turn instead left one
 * worker a hundred files behind the other at the end of a large tree (a third of the load's wall
 * time with one thread working).
 */
const IN_FLIGHT = 8;

let slots: Slot[] | undefined;
let broken = false;
let nextId = 0;
let parsedOnWorkers = 0;
let readOnWorkers = 0;
/** Questions not yet sent, oldest first (`head`: the first not yet taken). */
let queue: Question[] = [];
let head = 0;
const waiting = new Map<number, { slot: Slot; resolve: (answer: PoolAnswer) => void }>();

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
    worker.on("message", (m: { id: number; json: string | null; bytes?: ArrayBuffer; error?: string }) => {
      const w = waiting.get(m.id);
      if (!w) return;
      waiting.delete(m.id);
      settle(w.slot);
      if (m.json !== null) parsedOnWorkers++;
      if (m.bytes) readOnWorkers++;
      w.resolve({ values: m.json === null ? undefined : (JSON.parse(m.json) as unknown[]), ...(m.bytes ? { bytes: new Uint8Array(m.bytes) } : {}), ...(m.error !== undefined ? { error: m.error } : {}) });
      pump();
    });
    const fail = (): void => {
      broken = true;
      for (const [id, w] of waiting) {
        if (w.slot !== slot) continue;
        waiting.delete(id);
        w.resolve({ values: undefined, stopped: true });
      }
      for (let i = head; i < queue.length; i++) queue[i]!.resolve({ values: undefined, stopped: true });
      queue = [];
      head = 0;
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

/** Sends waiting questions to the workers with room, the least busy first. */
function pump(): void {
  if (broken || !slots) return;
  while (head < queue.length) {
    let slot: Slot | undefined;
    for (const s of slots) if (s.pending < IN_FLIGHT && (slot === undefined || s.pending < slot.pending)) slot = s;
    if (!slot) return;
    const q = queue[head++]!;
    waiting.set(q.id, { slot, resolve: q.resolve });
    if (slot.pending++ === 0) slot.worker.ref(); // keep the process alive while an answer is due
    slot.worker.postMessage({ id: q.id, ...q.message });
  }
  queue = [];
  head = 0;
}

function ask(message: { text: string } | { file: string }): Promise<PoolAnswer> {
  slots ??= start();
  return new Promise((resolve) => {
    queue.push({ id: nextId++, message, resolve });
    pump();
  });
}

/**
 * The fast path's values for a file's text, read on a worker thread; undefined when the main
 * thread must parse it (the full parser's cases, or the pool is unavailable).
 */
export async function valuesFromPool(text: string): Promise<unknown[] | undefined> {
  if (broken) return undefined;
  return (await ask({ text })).values;
}

/**
 * A file read and parsed on a worker thread: its bytes (or why they could not be read) and the
 * fast path's values. When the pool stops before answering, the file is read here instead.
 */
export async function readOnPool(file: string, readHere: (file: string) => Promise<Uint8Array>): Promise<PoolAnswer> {
  const answer = broken ? undefined : await ask({ file });
  if (answer && !answer.stopped) return answer;
  try {
    return { values: undefined, bytes: await readHere(file) };
  } catch (err) {
    return { values: undefined, error: (err as Error).message };
  }
}

/** How many files worker threads have parsed in this process (for tests and diagnostics). */
export function filesParsedOnWorkers(): number {
  return parsedOnWorkers;
}

/** How many files worker threads have read in this process (for tests and diagnostics). */
export function filesReadOnWorkers(): number {
  return readOnWorkers;
}
