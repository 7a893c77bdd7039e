// The canvas the user draws on: pointer events cover mouse, touch and pen alike (the canvas has
// `touch-action: none` so a finger draws instead of scrolling). White strokes on black, like MNIST.

export interface DrawingPadOptions {
  /** Stroke width in canvas pixels. */
  readonly lineWidth: number;
  /** Called while drawing (at most once per frame) and when a stroke ends. */
  readonly onChange: (final: boolean) => void;
}

export class DrawingPad {
  private readonly ctx: CanvasRenderingContext2D;
  private last: { x: number; y: number } | undefined;
  private frame = 0;
  private drawn = false;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly options: DrawingPadOptions,
  ) {
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    if (!ctx) throw new Error("this browser cannot draw on a 2-D canvas");
    this.ctx = ctx;
    this.clear();
    canvas.addEventListener("pointerdown", (e) => this.start(e));
    canvas.addEventListener("pointermove", (e) => this.move(e));
    for (const type of ["pointerup", "pointercancel"] as const)
      canvas.addEventListener(type, (e) => this.end(e));
  }

  /** Whether anything has been drawn since the last clear. */
  get isEmpty(): boolean {
    return !this.drawn;
  }

  clear(): void {
    this.ctx.fillStyle = "#000";
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.drawn = false;
  }

  /** Paints a grey image (0 = background) scaled to fill the pad, e.g. an MNIST digit. */
  paintGrey(data: ArrayLike<number>, width: number, height: number): void {
    this.clear();
    const cw = this.canvas.width / width;
    const ch = this.canvas.height / height;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = data[y * width + x]!;
        if (v === 0) continue;
        this.ctx.fillStyle = `rgb(${v},${v},${v})`;
        this.ctx.fillRect(x * cw, y * ch, cw, ch);
      }
    }
    this.drawn = true;
    this.options.onChange(true);
  }

  /** RGBA pixels of the whole pad. */
  pixels(): ImageData {
    return this.ctx.getImageData(0, 0, this.canvas.width, this.canvas.height);
  }

  /** The drawing's grey levels: the red channel (the pad draws white on black, so any channel is the grey level). */
  greyPixels(): { width: number; height: number; data: Uint8Array } {
    const { data: rgba, width, height } = this.pixels();
    const data = new Uint8Array(width * height);
    for (let i = 0; i < data.length; i++) data[i] = rgba[4 * i]!;
    return { width, height, data };
  }

  private point(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return {
      x: ((e.clientX - r.left) * this.canvas.width) / r.width,
      y: ((e.clientY - r.top) * this.canvas.height) / r.height,
    };
  }

  private start(e: PointerEvent): void {
    if (e.button !== 0 && e.pointerType === "mouse") return;
    e.preventDefault();
    this.canvas.setPointerCapture(e.pointerId);
    this.last = this.point(e);
    this.line(this.last, this.last);
  }

  private move(e: PointerEvent): void {
    if (!this.last) return;
    e.preventDefault();
    // Coalesced events keep fast strokes smooth where the browser batches them.
    const events = typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [];
    for (const c of events.length > 0 ? events : [e]) {
      const p = this.point(c);
      this.line(this.last, p);
      this.last = p;
    }
    if (this.frame === 0) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        if (this.last) this.options.onChange(false);
      });
    }
  }

  private end(e: PointerEvent): void {
    if (!this.last) return;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
    this.last = undefined;
    this.options.onChange(true);
  }

  private line(from: { x: number; y: number }, to: { x: number; y: number }): void {
    const c = this.ctx;
    c.strokeStyle = "#fff";
    c.lineWidth = this.options.lineWidth;
    c.lineCap = "round";
    c.lineJoin = "round";
    c.beginPath();
    c.moveTo(from.x, from.y);
    c.lineTo(to.x, to.y);
    c.stroke();
    this.drawn = true;
  }
}
