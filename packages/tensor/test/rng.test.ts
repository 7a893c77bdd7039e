import { describe, expect, it } from "vitest";
import { TensorError } from "../src/errors.js";
import { Rng } from "../src/rng.js";

describe("Rng (xoshiro128**)", () => {
  it("is deterministic per seed and differs across seeds", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 8 }, () => a.nextUint32());
    expect(Array.from({ length: 8 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 8 }, () => c.nextUint32())).not.toEqual(sa);
    expect(new Rng(2 ** 32).nextUint32()).not.toBe(new Rng(0).nextUint32());
  });

  it("follows the xoshiro128** recurrence from a known state", () => {
    // State (1, 2, 3, 4): first output rotl(2·5, 7)·9 = 11520, second after one state update.
    const r = new Rng(0);
    r.setState(Uint32Array.of(1, 2, 3, 4));
    expect(r.nextUint32()).toBe(11520);
    expect(r.getState()).toEqual(Uint32Array.of(7, 0, 1026, 12288));
    expect(r.nextUint32()).toBe(0);
  });

  it("round-trips its state and clones independently", () => {
    const r = new Rng(7);
    r.normal();
    const state = r.getState();
    const clone = r.clone();
    const next = [r.nextUint32(), r.uniform(), r.normal()];
    expect([clone.nextUint32(), clone.uniform(), clone.normal()]).toEqual(next);
    r.setState(state);
    expect([r.nextUint32(), r.uniform(), r.normal()]).toEqual(next);
    expect(() => r.setState(new Uint32Array(4))).toThrow(TensorError);
    expect(() => r.setState(new Uint32Array(3))).toThrow(/4 words/);
  });

  it("draws uniform and normal values with the right moments", () => {
    const r = new Rng(1);
    const u = r.uniformArray(100_000, -1, 1);
    const n = r.normalArray(100_001, 2, 3);
    const mean = (x: Float32Array) => x.reduce((s, v) => s + v, 0) / x.length;
    const variance = (x: Float32Array) => {
      const m = mean(x);
      return x.reduce((s, v) => s + (v - m) ** 2, 0) / x.length;
    };
    expect(Math.min(...u)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(mean(u)).toBeCloseTo(0, 1);
    expect(variance(u)).toBeCloseTo(1 / 3, 2);
    expect(mean(n)).toBeCloseTo(2, 1);
    expect(Math.sqrt(variance(n))).toBeCloseTo(3, 1);
    expect(Number.isFinite(r.normal())).toBe(true);
  });

  it("keeps uniformArray below hi where float32 rounding would reach it", () => {
    // With s1 = 0x831c71c7 the next output is 2³² − 1, i.e. u = 1 − 2⁻³², which rounds to 1 in float32.
    const r = new Rng(0);
    r.setState(Uint32Array.of(1, 0x831c71c7, 0, 0));
    expect(r.clone().nextUint32()).toBe(0xffffffff);
    const [v] = r.uniformArray(1, 0, 1);
    expect(v).toBeLessThan(1);
    expect(v).toBeGreaterThanOrEqual(0);
  });

  it("shuffles into permutations and draws unbiased bounded integers", () => {
    const r = new Rng(3);
    const p = r.permutation(1000);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect([...p]).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const arr = ["a", "b", "c", "d"];
    r.shuffle(arr);
    expect([...arr].sort()).toEqual(["a", "b", "c", "d"]);
    const counts = new Array(3).fill(0);
    for (let i = 0; i < 30_000; i++) counts[r.int(3)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    expect(() => r.int(0)).toThrow(TensorError);
    expect(() => r.permutation(-1)).toThrow(TensorError);
  });

  it("draws balanced ±1 signs and uniform bytes, deterministically", () => {
    const signs = new Rng(3).signs(20000);
    expect(signs.every((v) => v === 1 || v === -1)).toBe(true);
    const mean = signs.reduce((a, v) => a + v, 0) / signs.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(new Rng(3).signs(50)).toEqual(signs.subarray(0, 50));
    const bytes = new Rng(4).bytes(25600);
    const counts = new Array(256).fill(0);
    for (const b of bytes) counts[b]++;
    // 100 expected per value: every value appears, none wildly over-represented.
    expect(Math.min(...counts)).toBeGreaterThan(50);
    expect(Math.max(...counts)).toBeLessThan(160);
    expect(() => new Rng(1).signs(-1)).toThrow(/Rng.signs n/);
    expect(() => new Rng(1).bytes(1.5)).toThrow(/Rng.bytes n/);
  });
});
