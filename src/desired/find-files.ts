import { readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import type { Diagnostic } from "../model/diagnostics.js";

const YAML_FILE = /\.ya?ml$/i;

export interface FoundFiles {
  files: string[];
  diagnostics: Diagnostic[];
}

function fileError(file: string, message: string, code = "file"): Diagnostic {
  return { severity: "error", file, line: 1, column: 1, message, code };
}

/**
 * Lists every *.yaml / *.yml below `dir`, recursively, in a stable order.
 * Hidden entries (.git, .patchctl, …) are skipped. A symlink is followed only
 * when it resolves inside `dir`; one that points outside is refused.
 */
export async function findDesiredStateFiles(dir: string): Promise<FoundFiles> {
  const diagnostics: Diagnostic[] = [];
  let root: string;
  try {
    root = await realpath(dir);
    if (!(await stat(root)).isDirectory()) return { files: [], diagnostics: [fileError(dir, "not a directory: expected a desired-state directory")] };
  } catch {
    return { files: [], diagnostics: [fileError(dir, "no such directory")] };
  }
  const files: string[] = [];
  const seen = new Set<string>();

  async function visit(shown: string, real: string): Promise<void> {
    if (seen.has(real)) return;
    seen.add(real);
    // Dirents carry the entry type: no lstat per entry (a large tree has thousands).
    const entries = (await readdir(real, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const info of entries) {
      const name = info.name;
      if (name.startsWith(".")) continue;
      const shownPath = path.join(shown, name);
      const entryPath = path.join(real, name);
      let target = entryPath;
      let isDir = info.isDirectory();
      let isFile = info.isFile();
      if (info.isSymbolicLink()) {
        try {
          target = await realpath(entryPath);
        } catch {
          diagnostics.push(fileError(shownPath, "broken symbolic link"));
          continue;
        }
        if (target !== root && !target.startsWith(root + path.sep)) {
          diagnostics.push(fileError(shownPath, `symbolic link points outside the desired-state directory (${target}); refused`, "symlink"));
          continue;
        }
        const targetInfo = await stat(target);
        isDir = targetInfo.isDirectory();
        isFile = targetInfo.isFile();
      }
      if (isDir) await visit(shownPath, target);
      else if (isFile && YAML_FILE.test(name)) files.push(shownPath);
    }
  }
  await visit(dir, root);
  return { files, diagnostics };
}
