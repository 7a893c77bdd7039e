import type { FusedElementwiseStep, FusedPart } from "./fused-steps.js";
import type { Builder, Value } from "./lowering.js";
import type { Addresses } from "./memory-layout.js";
import type { Step } from "./plan.js";

// Elementwise fusion (a compile pass between lowering and memory layout). A run of adjacent
// channelwise and add steps, each reading the previous one's value, becomes one step that keeps the
// values between them in L1 (never written), and a sign of the final value (right after the run or
// later) compares it in the same pass. A value is skipped only when the two steps are its only users and it is
// not the plan's output; the final value is always written. QuickNet's blocks (bconv → clamp →
// batchNorm → add → sign) make four passes over a 56×56×64 image without it.

/** A run of builders fused into one step, with what each step's value ids were. */
export interface ElementwiseChain {
  /** Builder indices, in order: consecutive float steps, then possibly a later sign. */
  readonly builders: readonly number[];
  /** For each add in the run, whether the chain's value is its `b` (the other operand is then `a`). */
  readonly chainIsB: readonly boolean[];
  /** Every float value the fused step reads or writes (their lifetimes must cover the float steps). */
  readonly values: readonly number[];
  /** The bits of a fused sign (written at the run: their lifetime must start there). */
  readonly signValue?: number;
  /** The values between the parts: never written, they need no memory. */
  readonly skipped: readonly number[];
}

/** Value pointers of a probe build: value `id` is at PROBE + 16·id, far above any real address. */
const PROBE = 2 ** 40;

/** What a probe build of a builder shows: the value ids it touches, and its step with probe pointers. */
interface Probe {
  readonly touched: Set<number>;
  readonly step: Step;
}

function probe(builder: Builder, root: (id: number) => number): Probe {
  const touched = new Set<number>();
  const addresses: Addresses = {
    value: (id) => {
      touched.add(root(id));
      return PROBE + 16 * root(id);
    },
    weight: () => 0,
    scratch: (_id, slot) => (slot === 0 ? 0 : -1),
  };
  return { touched, step: builder(addresses) };
}

const idOf = (ptr: number): number => (ptr - PROBE) / 16;

/** The value a step of a fusable kind writes, and the ones it reads (undefined: not fusable). */
function flow(step: Step): { readonly reads: readonly number[]; readonly writes: number } | undefined {
  if (step.op === "channelwise" || step.op === "sign")
    return { reads: [idOf(step.src)], writes: idOf(step.dst) };
  if (step.op === "add") return { reads: [idOf(step.a), idOf(step.b)], writes: idOf(step.dst) };
  return undefined;
}

/** Finds the runs to fuse (see the file comment); `output` is the plan's output value. */
export function findElementwiseChains(
  builders: readonly Builder[],
  values: readonly Value[],
  output: number,
): ElementwiseChain[] {
  const root = (id: number): number => {
    let r = id;
    while (values[r]!.aliasOf !== undefined) r = values[r]!.aliasOf!;
    return r;
  };
  const probes = builders.map((b) => probe(b, root));
  const users = new Map<number, number>();
  for (const p of probes) for (const id of p.touched) users.set(id, (users.get(id) ?? 0) + 1);
  const chains: ElementwiseChain[] = [];
  const taken = new Set<number>();
  for (let i = 0; i < probes.length; i++) {
    const first = probes[i]!.step;
    if (taken.has(i) || (first.op !== "channelwise" && first.op !== "add")) continue;
    const head = flow(first)!;
    const run = [i];
    const chainIsB: boolean[] = first.op === "add" ? [false] : [];
    const touched = new Set([...head.reads, head.writes]);
    const skipped: number[] = [];
    let value = head.writes;
    for (let j = i + 1; j < probes.length; j++) {
      const step = probes[j]!.step;
      const f = flow(step);
      if (!f || step.op === "sign" || !f.reads.includes(value)) break;
      // The value between two fused parts is never written: nothing else may use it.
      if (value === root(output) || users.get(value) !== 2) break;
      if (step.op === "add") {
        if (f.reads[0] === f.reads[1]) break;
        chainIsB.push(f.reads[1] === value);
      }
      for (const id of f.reads) touched.add(id);
      touched.add(f.writes);
      run.push(j);
      skipped.push(value);
      touched.delete(value);
      value = f.writes;
    }
    // A sign of the final value joins wherever it comes later: the value is written once and never
    // changed, and the bits' lifetime is stretched back to the run, so nothing else uses their memory.
    const last = run[run.length - 1]!;
    const sign = probes.findIndex(
      (p, k) => k > last && p.step.op === "sign" && flow(p.step)!.reads[0] === value,
    );
    if (sign >= 0) run.push(sign);
    if (run.length < 2) continue;
    for (const k of run) taken.add(k);
    const signValue = sign >= 0 ? flow(probes[sign]!.step)!.writes : undefined;
    chains.push({
      builders: run,
      chainIsB,
      values: [...touched],
      skipped,
      ...(signValue === undefined ? {} : { signValue }),
    });
  }
  return chains;
}

/** The plan's steps with each chain's steps replaced by one fused step (at the chain's last place). */
export function fuseChains(steps: readonly Step[], chains: readonly ElementwiseChain[]): Step[] {
  const replaced = new Map<number, FusedElementwiseStep>();
  const dropped = new Set<number>();
  for (const chain of chains) {
    const members = chain.builders.map((i) => steps[i]!);
    // In the place of the last float step (a sign may come from further on).
    const at = chain.builders.filter((i) => steps[i]!.op !== "sign").pop()!;
    for (const i of chain.builders) if (i !== at) dropped.add(i);
    replaced.set(at, fusedStep(members, chain.chainIsB));
  }
  const out: Step[] = [];
  steps.forEach((s, i) => {
    if (!dropped.has(i)) out.push(replaced.get(i) ?? s);
  });
  return out;
}

function fusedStep(members: readonly Step[], chainIsB: readonly boolean[]): FusedElementwiseStep {
  const parts: FusedPart[] = [];
  let src = 0;
  let dst = 0;
  let elements = 0;
  let channels = 0;
  let adds = 0;
  let sign: FusedElementwiseStep["sign"];
  members.forEach((s, k) => {
    if (s.op === "channelwise") {
      if (k === 0) src = s.src;
      parts.push({
        kind: "map",
        fn: s.fn,
        channels: s.channels,
        p: s.p,
        epsilon: s.epsilon,
        lo: s.lo,
        hi: s.hi,
      });
      ({ dst, elements, channels } = s);
    } else if (s.op === "add") {
      const isB = chainIsB[adds++]!;
      // The first part reads `src`; a leading add reads a and adds b (float addition commutes exactly).
      if (k === 0) src = s.a;
      parts.push({ kind: "add", other: k === 0 ? s.b : isB ? s.a : s.b });
      ({ dst, elements } = s);
    } else if (s.op === "sign") {
      channels = s.channels;
      sign = { dst: s.dst, thresholds: s.thresholds, flip: s.flip, layout: s.layout };
    }
  });
  const names = [...new Set(members.map((s) => s.node))];
  return {
    op: "fusedElementwise",
    node: names[names.length - 1]!,
    fused: names,
    rowsPerSample: 1,
    costPerRow: members.reduce((sum, s) => sum + s.costPerRow, 0),
    src,
    dst,
    elements,
    channels: channels || 1,
    parts,
    ...(sign ? { sign } : {}),
  };
}
