import { readFileSync } from "node:fs";

/** The AWS CLI's examples in Debian's awscli package: responses recorded against the real service. */
export const AWS_CLI_EXAMPLES = "/usr/lib/python3/dist-packages/awscli/examples/ssm";

/** Every `Output::` block of an example page, parsed (some pages print timestamps unquoted, elide entries or leave trailing commas). */
export function recordedOutputs(page: string): Record<string, unknown>[] {
  const lines = readFileSync(`${AWS_CLI_EXAMPLES}/${page}`, "utf8").split("\n");
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== "Output::") continue;
    const block: string[] = [];
    for (i++; i < lines.length && (lines[i]!.trim() === "" || /^\s/.test(lines[i]!)); i++) block.push(lines[i]!);
    // Some pages elide entries with a "..." line and leave a trailing comma before a closing bracket.
    const text = block
      .filter((l) => l.trim() !== "...")
      .join("\n")
      .replace(/:\s*(\d{4}-\d\d-\d\dT[\d:.]+Z)/g, ': "$1"')
      .replace(/,(\s*[\]}])/g, "$1");
    out.push(JSON.parse(text) as Record<string, unknown>);
  }
  return out;
}
