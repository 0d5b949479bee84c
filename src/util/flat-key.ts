/**
 * `parts` joined with "/", as one flat string. A template literal or `+` of long strings gives
 * V8 a rope (a cons string) that Map lookups walk piece by piece on every hash and comparison;
 * a plan keys tens of thousands of resources by such strings (indexes, `ids`). `join` writes the
 * characters out once. The text is the same as `${a}/${b}`.
 */
export function flatKey(...parts: string[]): string {
  return parts.join("/");
}
