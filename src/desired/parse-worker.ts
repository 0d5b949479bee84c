import { readFileSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import { decodeYamlBytes, fastValues, jsonSafe } from "./yaml-fast.js";

/**
 * A worker thread of the parse pool: reads a file's text with js-yaml and answers with the
 * documents as JSON (cheaper for the main thread to take in than parsing the YAML itself), or
 * null when the main thread must parse it (the full parser's cases, or NaN/Infinity values).
 * Given a path instead of a text, it reads the file first (a blocking read is harmless here) and
 * sends the bytes along, moved rather than copied, for the main thread's own checks.
 */
function jsonOf(text: string | undefined): string | null {
  if (text === undefined) return null;
  try {
    const values = fastValues(text);
    return values && jsonSafe(values) ? JSON.stringify(values) : null;
  } catch {
    return null;
  }
}

parentPort?.on("message", (m: { id: number; text: string } | { id: number; file: string }) => {
  if ("text" in m) {
    parentPort?.postMessage({ id: m.id, json: jsonOf(m.text) });
    return;
  }
  let bytes: Uint8Array;
  try {
    const read = readFileSync(m.file);
    // A buffer of its own (readFileSync may hand out a slice of a shared pool), so it can be moved.
    bytes = read.byteOffset === 0 && read.byteLength === read.buffer.byteLength ? read : new Uint8Array(read);
  } catch (err) {
    parentPort?.postMessage({ id: m.id, json: null, error: (err as Error).message });
    return;
  }
  const decoded = decodeYamlBytes(bytes);
  const json = jsonOf("text" in decoded ? decoded.text : undefined);
  const buffer = bytes.buffer as ArrayBuffer;
  parentPort?.postMessage({ id: m.id, json, bytes: buffer }, [buffer]);
});
