/**
 * Logical names for imported resources: the desired-state format's name rule
 * (`^[a-zA-Z0-9_\-.]{3,128}$`, the SSM name rule too), derived from what SSM holds
 * and made unique within their scope.
 */

export const NAME_PATTERN = /^[a-zA-Z0-9_\-.]{3,128}$/;
const MAX = 128;

/** `text` as a valid name: other characters become '-', runs collapse, short results get `fallback` in front. */
export function sanitizeName(text: string, fallback: string): string {
  let s = text
    .replace(/[^a-zA-Z0-9_\-.]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "");
  if (s.length < 3) s = s ? `${fallback}-${s}` : fallback;
  return s.slice(0, MAX);
}

/** Hands out names unique within one scope (a kind, or one window's targets or tasks). */
export class NameScope {
  private readonly taken = new Set<string>();

  /** Reserves `name` as is; false when it is already taken. */
  reserve(name: string): boolean {
    if (this.taken.has(name)) return false;
    this.taken.add(name);
    return true;
  }

  /** `base`, or `base-2`, `base-3`, … (shortened to fit), whichever is free first; reserved. */
  unique(base: string): string {
    for (let n = 1; ; n++) {
      const suffix = n === 1 ? "" : `-${n}`;
      const candidate = `${base.slice(0, MAX - suffix.length)}${suffix}`;
      if (this.reserve(candidate)) return candidate;
    }
  }
}

type KeyValues = { Key?: string; Values?: string[] };

/**
 * A readable name for a window target without one (or with a duplicate one), from
 * what it selects: `tag:Patch Group=Database Servers` → `Database-Servers`,
 * a resource group → its name, instance ids → `instances`.
 */
export function derivedTargetName(targets: KeyValues[] | undefined): string {
  const list = targets ?? [];
  const parts: string[] = [];
  for (const t of list) {
    const key = t.Key ?? "";
    const values = t.Values ?? [];
    if (key === "InstanceIds") parts.push("instances");
    else if (key === "resource-groups:Name" || key.startsWith("tag:")) parts.push(...values);
    else if (key === "tag-key") parts.push(...values.map((v) => `tagged-${v}`));
  }
  const joined = parts.join("-").slice(0, 100);
  return sanitizeName(joined, "target");
}

/**
 * A readable name for a task without one, from what it runs:
 * `AWS-RunPatchBaseline` with `Operation=Install` → `AWS-RunPatchBaseline-Install`;
 * ARNs (Lambda, Step Functions) by their last segment.
 */
export function derivedTaskName(taskArn: string | undefined, operation: string | undefined): string {
  const arn = taskArn ?? "";
  // A function or state machine ARN by its name (not a version or alias number).
  const base = arn.startsWith("arn:") ? arn.split(/[:/]/).filter((p) => p && !/^\d+$/.test(p) && p !== "$LATEST").pop() ?? "" : arn;
  const text = operation ? `${base}-${operation}` : base;
  return sanitizeName(text.slice(0, 110), "task");
}
