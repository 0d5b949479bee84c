import { parentPort } from "node:worker_threads";
import { fastValues, jsonSafe } from "./yaml-fast.js";

/**
 * A worker thread of the parse pool: reads a file's text with js-yaml and answers with the
 * documents as JSON (cheaper for the main thread to take in than parsing the YAML itself), or
 * null when the main thread must parse it (the full parser's cases, or NaN/Infinity values).
 */
parentPort?.on("message", (m: { id: number; text: string }) => {
  let json: string | null = null;
  try {
    const values = fastValues(m.text);
    if (values && jsonSafe(values)) json = JSON.stringify(values);
  } catch {
    json = null;
  }
  parentPort?.postMessage({ id: m.id, json });
});
