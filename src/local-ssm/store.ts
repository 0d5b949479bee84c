import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";

/**
 * All state of the local endpoint, in sections per service (`ssm`, later `iam`),
 * each keyed by partition (account and region for SSM).
 *
 * With a data file, persist() writes the whole state to a temp file, fsyncs it,
 * renames it over the data file and fsyncs the directory. The server calls it after
 * every mutation and before answering, and request handling is synchronous, so a
 * kill -9 at any moment loses nothing that was acknowledged and never leaves a
 * half-written file.
 */
interface StoreFile {
  version: 2;
  sections: Record<string, Record<string, unknown>>;
}

/** The first format (SSM only): { version: 1, regions: { "<account>/<region>": ... } }. */
interface StoreFileV1 {
  version: 1;
  regions: Record<string, unknown>;
}

export class Store {
  private data: StoreFile = { version: 2, sections: {} };
  /** The last durable state, to roll memory back to when a write fails. */
  private durable: string;

  constructor(private readonly dataFile?: string) {
    if (dataFile) {
      removeStaleTempFiles(dataFile);
      if (existsSync(dataFile)) {
        const text = readFileSync(dataFile, "utf8");
        if (text.trim()) this.data = parseStoreFile(text, dataFile);
      }
    }
    this.durable = JSON.stringify(this.data);
  }

  /** One partition of a section, created on first use. */
  section<T>(name: string, key: string, create: () => T): T {
    const section = (this.data.sections[name] ??= {});
    if (!(key in section)) section[key] = create();
    return section[key] as T;
  }

  /** Makes the current state durable; on failure, memory goes back to the last durable state and the error is rethrown. */
  persist(): void {
    if (!this.dataFile) return;
    const text = JSON.stringify(this.data);
    try {
      writeDurably(this.dataFile, text);
      this.durable = text;
    } catch (err) {
      this.data = JSON.parse(this.durable) as StoreFile;
      throw err;
    }
  }
}

function parseStoreFile(text: string, file: string): StoreFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not a local-ssm data file (${err instanceof Error ? err.message : String(err)})`);
  }
  const v = raw as Partial<StoreFile> | Partial<StoreFileV1>;
  if (v.version === 2 && typeof (v as StoreFile).sections === "object") return v as StoreFile;
  if (v.version === 1 && typeof (v as StoreFileV1).regions === "object") return { version: 2, sections: { ssm: (v as StoreFileV1).regions } };
  throw new Error(`${file}: unsupported local-ssm data file version ${String(v.version)}`);
}

function tempPrefix(file: string): string {
  return `${path.basename(file)}.tmp-`;
}

function writeDurably(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `${tempPrefix(file)}${process.pid}`);
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  try {
    const dir = openSync(path.dirname(file), "r");
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  } catch {
    // Some filesystems cannot fsync a directory; the rename itself is atomic.
  }
}

/** Temp files left by a process killed mid-write: never renamed, so never acknowledged. */
function removeStaleTempFiles(file: string): void {
  const dir = path.dirname(file);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    if (name.startsWith(tempPrefix(file))) {
      try {
        unlinkSync(path.join(dir, name));
      } catch {
        // Another process's temp file or already gone: harmless.
      }
    }
  }
}
