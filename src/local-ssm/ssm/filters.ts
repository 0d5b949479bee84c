import { invalid } from "../errors.js";

/** The Key/Values filters of the Describe operations. */
export interface Filter {
  Key?: string | undefined;
  Values?: string[] | undefined;
}

/** A filter's values; a filter without any matches nothing, which the service refuses. */
export function filterValues(f: Filter): string[] {
  const values = f.Values ?? [];
  if (values.length === 0) throw invalid(`The filter ${String(f.Key)} must have at least one value.`);
  return values;
}

/** Applies Key/Values filters (values of one filter OR-ed, filters AND-ed); an unknown key is a ValidationException. */
export function applyFilters<T>(items: readonly T[], filters: readonly Filter[] | undefined, matchers: Readonly<Record<string, (item: T, value: string) => boolean>>): T[] {
  let list = [...items];
  for (const f of filters ?? []) {
    const match = matchers[f.Key ?? ""];
    if (!match) throw invalid(`The filter key ${String(f.Key)} is not valid. Valid keys are: ${Object.keys(matchers).join(", ")}.`);
    const values = filterValues(f);
    list = list.filter((item) => values.some((v) => match(item, v)));
  }
  return list;
}
