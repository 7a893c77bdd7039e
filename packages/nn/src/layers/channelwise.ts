import { createParam, type Param } from "../param.js";
import { Scratch, type Shape } from "../shape.js";
import { type BuildContext, type ForwardContext, Layer } from "./layer.js";

/**
 * An element-wise layer with per-channel parameters (channels = the last axis): ReLU, PReLU,
 * RPReLU, RSign and scale share the buffers, the parameter creation and the forward/backward
 * bookkeeping; each defines its function and derivative for one element.
 */
export abstract class ChannelwiseLayer extends Layer {
  private readonly out = new Scratch();
  private readonly gx = new Scratch();
  private readonly paramList: Param[] = [];
  private lastX: Float32Array | undefined;
  private lastBatch = 0;

  /** The per-channel parameters to create: role and initial value. */
  protected abstract parameterRoles(): ReadonlyArray<readonly [string, number]>;

  /** y = f(x) for element x of channel c. */
  protected abstract f(x: number, c: number): number;

  /**
   * For element x of channel c with output gradient g: returns ∂L/∂x and adds ∂L/∂param to
   * `grads[k][c]` for each parameter k.
   */
  protected abstract df(x: number, c: number, g: number, grads: readonly Float32Array[]): number;

  get channels(): number {
    const s = this.inputShape;
    return s[s.length - 1]!;
  }

  /** The value of parameter `k` (in `parameterRoles` order). */
  protected param(k: number): Float32Array {
    return this.paramList[k]!.value;
  }

  protected init(inputShape: Shape, _ctx: BuildContext): Shape {
    const c = inputShape[inputShape.length - 1]!;
    for (const [role, initial] of this.parameterRoles()) {
      this.paramList.push(
        createParam(`${this.name}/${role}`, [c], "real", new Float32Array(c).fill(initial)),
      );
    }
    return inputShape;
  }

  override params(): Param[] {
    return this.paramList;
  }

  forward(x: Float32Array, batch: number, _ctx: ForwardContext): Float32Array {
    this.checkInput(x, batch);
    const c = this.channels;
    const y = this.out.get(x.length);
    for (let i = 0; i < x.length; i++) y[i] = this.f(x[i]!, i % c);
    this.lastX = x;
    this.lastBatch = batch;
    return y;
  }

  backward(gradOut: Float32Array, batch: number, needInputGrad: boolean): Float32Array | null {
    this.requireForward(this.lastX, batch, this.lastBatch);
    this.checkGrad(gradOut, batch);
    const grads = this.paramList.map((p) => p.grad.fill(0));
    const c = this.channels;
    const x = this.lastX;
    const gx = this.gx.get(x.length);
    for (let i = 0; i < x.length; i++) gx[i] = this.df(x[i]!, i % c, gradOut[i]!, grads);
    return needInputGrad ? gx : null;
  }
}

/** ReLU: max(0, x). */
export class ReLU extends ChannelwiseLayer {
  readonly type = "relu";
  protected parameterRoles() {
    return [];
  }
  protected f(x: number): number {
    return Math.max(x, 0);
  }
  protected df(x: number, _c: number, g: number): number {
    return x > 0 ? g : 0;
  }
}

/** PReLU: x for x > 0, αc·x otherwise, with a learnable slope αc per channel (initially 0.25). */
export class PReLU extends ChannelwiseLayer {
  readonly type = "prelu";
  protected parameterRoles() {
    return [["alpha", 0.25]] as const;
  }
  protected f(x: number, c: number): number {
    return x > 0 ? x : this.param(0)[c]! * x;
  }
  protected df(x: number, c: number, g: number, grads: readonly Float32Array[]): number {
    if (x > 0) return g;
    grads[0]![c]! += g * x;
    return this.param(0)[c]! * g;
  }
}

/**
 * RPReLU (ReActNet): u = x − γc; y = u + ζc for u > 0, βc·u + ζc otherwise; learnable shifts γ
 * (before, initially 0) and ζ (after, 0) and slope β (0.25) per channel.
 */
export class RPReLU extends ChannelwiseLayer {
  readonly type = "rprelu";
  protected parameterRoles() {
    return [
      ["gamma", 0],
      ["beta", 0.25],
      ["zeta", 0],
    ] as const;
  }
  protected f(x: number, c: number): number {
    const u = x - this.param(0)[c]!;
    return (u > 0 ? u : this.param(1)[c]! * u) + this.param(2)[c]!;
  }
  protected df(x: number, c: number, g: number, grads: readonly Float32Array[]): number {
    const u = x - this.param(0)[c]!;
    const gu = u > 0 ? g : this.param(1)[c]! * g;
    if (u <= 0) grads[1]![c]! += g * u;
    grads[0]![c]! -= gu;
    grads[2]![c]! += g;
    return gu;
  }
}

/**
 * RSign (ReActNet): sign(x − βc) with a learnable threshold βc per channel (initially 0), +1 at
 * the threshold; straight-through gradient 1{|x − βc| ≤ 1} for x and its negative for βc.
 */
export class RSign extends ChannelwiseLayer {
  readonly type = "rsign";
  protected parameterRoles() {
    return [["threshold", 0]] as const;
  }
  protected f(x: number, c: number): number {
    return x - this.param(0)[c]! >= 0 ? 1 : -1;
  }
  protected df(x: number, c: number, g: number, grads: readonly Float32Array[]): number {
    const gx = Math.abs(x - this.param(0)[c]!) <= 1 ? g : 0;
    grads[0]![c]! -= gx;
    return gx;
  }
  override outputBits(): number {
    return 1;
  }
}

/**
 * A learnable per-channel scale y = x·γc (initially 1), e.g. after a binary convolution before a
 * real-valued shortcut. (XNOR-Net's fixed α = mean |W| is the `magnitudeAwareSign` kernel quantizer.)
 */
export class Scale extends ChannelwiseLayer {
  readonly type = "scale";
  protected parameterRoles() {
    return [["gamma", 1]] as const;
  }
  protected f(x: number, c: number): number {
    return x * this.param(0)[c]!;
  }
  protected df(x: number, c: number, g: number, grads: readonly Float32Array[]): number {
    grads[0]![c]! += g * x;
    return g * this.param(0)[c]!;
  }
}

export const relu = (options: { name?: string } = {}): ReLU => new ReLU(options.name);
export const prelu = (options: { name?: string } = {}): PReLU => new PReLU(options.name);
export const rprelu = (options: { name?: string } = {}): RPReLU => new RPReLU(options.name);
export const rsign = (options: { name?: string } = {}): RSign => new RSign(options.name);
export const scale = (options: { name?: string } = {}): Scale => new Scale(options.name);
