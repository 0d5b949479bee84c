import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

/** Debian's `chromium` (apt-get install -y chromium), headless, as test/timeline/html-chromium.test.ts runs it. */
export const CHROMIUM = "/usr/bin/chromium";
const run = promisify(execFile);

/** Where tests leave files for a person to look at (gitignored). */
export const TEST_OUTPUT = path.resolve("test-output");

function chromiumArgs(profile: string): string[] {
  return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars", `--user-data-dir=${profile}`];
}

function writePage(html: string, name: string): { file: string; profile: string } {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (Debian's package) to run the status page tests`);
  const scratch = mkdtempSync(path.join(tmpdir(), "patchctl-status-"));
  const file = path.join(scratch, `${name}.html`);
  writeFileSync(file, html);
  return { file, profile: mkdtempSync(path.join(scratch, "profile-")) };
}

/** The DOM as Chromium has it after loading the page (and running any script it would run). */
export async function dumpDom(html: string, name: string): Promise<string> {
  const { file, profile } = writePage(html, name);
  const { stdout } = await run(CHROMIUM, [...chromiumArgs(profile), "--dump-dom", pathToFileURL(file).href], { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 });
  return stdout;
}

/** A PNG of the page at `width`×`height`, written to test-output/NAME.png; returns its path. */
export async function screenshot(html: string, name: string, width = 1280, height = 1800): Promise<string> {
  const { file, profile } = writePage(html, name);
  mkdirSync(TEST_OUTPUT, { recursive: true });
  const out = path.join(TEST_OUTPUT, `${name}.png`);
  await run(CHROMIUM, [...chromiumArgs(profile), `--window-size=${width},${height}`, `--screenshot=${out}`, pathToFileURL(file).href], { timeout: 60_000 });
  return out;
}

export interface Element {
  tag: string;
  attrs: Record<string, string>;
}

function unescape(v: string): string {
  return v.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

/** Start tags in a dumped DOM, with their attributes. */
export function elements(dom: string): Element[] {
  const out: Element[] = [];
  for (const m of dom.matchAll(/<([a-zA-Z][\w-]*)((?:\s+[^\s=>\/]+(?:="[^"]*")?)*)\s*\/?>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) attrs[a[1]!] = unescape(a[2] ?? "");
    out.push({ tag: m[1]!.toLowerCase(), attrs });
  }
  return out;
}

/** The text of the first element matching `open` (a regex on its start tag) up to its end tag, tags stripped, entities decoded. */
export function textOf(dom: string, open: RegExp, tag: string): string | undefined {
  const m = open.exec(dom);
  if (!m) return undefined;
  const rest = dom.slice(m.index);
  const end = rest.indexOf(`</${tag}>`);
  return unescape(rest.slice(0, end).replace(/<[^>]*>/g, " ")).replace(/\s+/g, " ").trim();
}
