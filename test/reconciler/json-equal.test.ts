import equal from "fast-deep-equal";
import { describe, expect, it } from "vitest";
import type { Json } from "../../src/model/plan.js";
import { jsonEqual } from "../../src/util/json-equal.js";

/** A small random JSON value (objects, lists, scalars, undefined members), seeded. */
function randomJson(next: () => number, depth = 0): Json {
  const pick = next();
  if (depth > 3 || pick < 0.35) return [null, true, false, 0, 1, -1, 1.5, "", "a", "b"][Math.floor(next() * 10)]!;
  if (pick < 0.65) return Array.from({ length: Math.floor(next() * 3) }, () => randomJson(next, depth + 1));
  const o: Record<string, Json> = {};
  for (let i = Math.floor(next() * 4); i > 0; i--) o[["x", "y", "z", "w"][Math.floor(next() * 4)]!] = randomJson(next, depth + 1);
  return o;
}

function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}

describe("jsonEqual", () => {
  it("answers as fast-deep-equal on the edge cases of specs", () => {
    const cases: [Json | undefined, Json | undefined][] = [
      [{ a: 1 }, { a: 1 }],
      [{ a: 1, b: 2 }, { b: 2, a: 1 }],
      [{ a: undefined } as unknown as Json, {}],
      [{}, { a: undefined } as unknown as Json],
      [{ a: undefined } as unknown as Json, { b: undefined } as unknown as Json],
      [[1, 2], [2, 1]],
      [[], {}],
      [{}, []],
      [{ 0: "a" }, ["a"]],
      [NaN, NaN],
      [null, {}],
      [null, null],
      ["1", 1],
      [undefined, undefined],
      [undefined, null],
      [{ a: [{ b: [1] }] }, { a: [{ b: [1] }] }],
      [{ a: [{ b: [1] }] }, { a: [{ b: [2] }] }],
    ];
    for (const [a, b] of cases) expect(jsonEqual(a, b), JSON.stringify([a, b])).toBe(equal(a, b));
  });

  it("answers as fast-deep-equal on random values and on their copies", () => {
    const next = rng(7);
    let equalPairs = 0;
    for (let i = 0; i < 3000; i++) {
      const a = randomJson(next);
      const b = next() < 0.5 ? (JSON.parse(JSON.stringify(a)) as Json) : randomJson(next);
      const expected = equal(a, b);
      if (expected) equalPairs++;
      expect(jsonEqual(a, b), JSON.stringify([a, b])).toBe(expected);
    }
    expect(equalPairs).toBeGreaterThan(1000); // the copies: equal answers are exercised, not only unequal ones
  });
});
