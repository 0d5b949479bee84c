import type { Readable } from "node:stream";

/**
 * The JSON lines a process writes (pino's log lines), parsed as they come, in a list that grows.
 * Lines that are not JSON are left out, or kept as `{ raw }` with `keepRaw`; `keep` narrows the list
 * to the lines wanted (a test's cycles, say).
 */
export function jsonLinesOf(stream: Readable, opts: { keepRaw?: boolean; keep?: (line: Record<string, unknown>) => boolean } = {}): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  let buf = "";
  stream.on("data", (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
      const text = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let line: Record<string, unknown>;
      try {
        line = JSON.parse(text) as Record<string, unknown>;
      } catch {
        if (opts.keepRaw) lines.push({ raw: text });
        continue;
      }
      if (!opts.keep || opts.keep(line)) lines.push(line);
    }
  });
  return lines;
}
