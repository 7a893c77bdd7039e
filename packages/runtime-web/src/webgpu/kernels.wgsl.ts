// The WGSL kernels of the WebGPU backend, one module with an entry point per step kind. They work
// on one storage buffer that mirrors the engine's WebAssembly memory byte for byte (every plan
// pointer is a byte offset into it), so a step reads and writes exactly what its WebAssembly
// counterpart does. Integer results are exact (countOneBits over u32 words, i32 sums); floats are
// produced by the same float32 operations as the CPU path (see gpu-steps.ts for what stays there).
//
// Every kernel runs one invocation per (output row, item of that row): params 0 and 1 are the rows
// per sample and the items per row; `batch.x` is the pass's batch. Params are u32 (signed values
// bit-cast), read through `param(i)`.

/** Params per step (a uniform array of vec4<u32>). */
export const PARAM_COUNT = 32;
/** Invocations per workgroup. */
export const WORKGROUP_SIZE = 64;

export const KERNELS_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> mem: array<u32>;
@group(0) @binding(1) var<uniform> params: array<vec4<u32>, ${PARAM_COUNT / 4}>;
@group(0) @binding(2) var<uniform> batch: vec4<u32>;

fn param(i: u32) -> u32 { return params[i / 4u][i % 4u]; }
fn iparam(i: u32) -> i32 { return bitcast<i32>(param(i)); }
fn byteAt(addr: u32) -> u32 { return (mem[addr >> 2u] >> ((addr & 3u) * 8u)) & 0xffu; }

// (row, item) of this invocation, or row = 0xffffffff past the pass's rows.
fn item(gid: vec3<u32>, groups: vec3<u32>) -> vec2<u32> {
  let idx = gid.x + gid.y * groups.x * ${WORKGROUP_SIZE}u;
  let perRow = param(1u);
  let row = idx / perRow;
  if (row >= param(0u) * batch.x) { return vec2<u32>(0xffffffffu, 0u); }
  return vec2<u32>(row, idx % perRow);
}

// ---- GEMM family: 2 mode, 3 w, 4 n, 5 k, 6 kWords, 7 out, 8 outStride, 9 p0, 10 p1,
// 11 a, 12 aStride, 13 bitPlane, 14 input, 15 height, 16 width, 17 wpp (bits) or channels (bytes),
// 18 lastMask, 19 kernelH, 20 kernelW, 21 strideH, 22 strideW, 23 padTop, 24 padLeft, 25 outH,
// 26 outW, 27 padValue.

// Word t of output column n's weights in the kernels' panel layout (4 columns, 64-bit interleave).
fn weightWord(n: u32, t: u32) -> u32 {
  let half = param(6u) / 2u;
  return mem[param(3u) / 4u + (((n / 4u) * half + (t >> 1u)) * 4u + (n % 4u)) * 2u + (t & 1u)];
}

// Dot of GEMM row m (packed ±1 words, or 8 bit planes of bytes) with column n.
fn dotRows(m: u32, n: u32) -> i32 {
  let kWords = param(6u);
  let row = (param(11u) + m * param(12u)) / 4u;
  if (param(13u) == 0u) {
    var ones = 0u;
    for (var t = 0u; t < kWords; t++) { ones += countOneBits(mem[row + t] ^ weightWord(n, t)); }
    return iparam(5u) - 2 * i32(ones);
  }
  var dot = 0;
  for (var plane = 0u; plane < 8u; plane++) {
    var agree = 0;
    for (var t = 0u; t < kWords; t++) {
      let x = mem[row + plane * kWords + t];
      agree += 2 * i32(countOneBits(x & weightWord(n, t))) - i32(countOneBits(x));
    }
    dot += agree << plane;
  }
  return dot;
}

// Output pixel r as (image, y, x).
fn pixelOf(r: u32) -> vec3<u32> {
  let outW = param(26u);
  let perImage = param(25u) * outW;
  let rem = r % perImage;
  return vec3<u32>(r / perImage, rem / outW, rem % outW);
}

// Input position of tap (dy, dx) of output pixel p, and whether it lies inside the image.
fn tapAt(p: vec3<u32>, tap: u32) -> vec3<i32> {
  let kw = param(20u);
  let iy = i32(p.y * param(21u) + tap / kw) - iparam(23u);
  let ix = i32(p.z * param(22u) + tap % kw) - iparam(24u);
  let inside = iy >= 0 && iy < iparam(15u) && ix >= 0 && ix < iparam(16u);
  return vec3<i32>(iy, ix, select(0, 1, inside));
}

// Binary convolution: the dot of output pixel r's im2col row (taps of wpp words, one-padded: +1
// bits in the channels, zero padding bits) with column n, read straight from the packed image.
fn dotConvBits(r: u32, n: u32) -> i32 {
  let kWords = param(6u);
  let wpp = param(17u);
  let taps = param(19u) * param(20u);
  let p = pixelOf(r);
  let image = param(14u) / 4u + p.x * param(15u) * param(16u) * wpp;
  var ones = 0u;
  for (var t = 0u; t < kWords; t++) {
    let tap = t / wpp;
    let word = t % wpp;
    var x = 0u;
    if (tap < taps) {
      let at = tapAt(p, tap);
      if (at.z == 1) {
        x = mem[image + (u32(at.x) * param(16u) + u32(at.y)) * wpp + word];
      } else {
        x = select(0xffffffffu, param(18u), word == wpp - 1u);
      }
    }
    ones += countOneBits(x ^ weightWord(n, t));
  }
  return iparam(5u) - 2 * i32(ones);
}

// 8-bit convolution (the bit-plane GEMM's exact dot): Σ ±x over the window's bytes, tap-major,
// padded positions reading padValue.
fn dotConvBytes(r: u32, n: u32) -> i32 {
  let channels = param(17u);
  let taps = param(19u) * param(20u);
  let p = pixelOf(r);
  let image = param(14u) + p.x * param(15u) * param(16u) * channels;
  var dot = 0;
  for (var tap = 0u; tap < taps; tap++) {
    let at = tapAt(p, tap);
    let pixel = image + (u32(at.x) * param(16u) + u32(at.y)) * channels;
    for (var c = 0u; c < channels; c++) {
      let e = tap * channels + c;
      let x = i32(select(param(27u), byteAt(pixel + c), at.z == 1));
      dot += select(-x, x, ((weightWord(n, e >> 5u) >> (e & 31u)) & 1u) == 1u);
    }
  }
  return dot;
}

// Binary convolution with dilation, groups or zero padding (bconvGeneric): output pixel r, output
// channel o, bit by bit over its group's channels; padded taps count +1 (padOne) or are left out.
// Params as the GEMM family, and 5 channels per group, 6 weight words per tap, 11 dilationH,
// 12 dilationW, 18 padOne, 27 outputs per group.
fn dotConvGeneric(r: u32, o: u32) -> i32 {
  let perGroup = param(5u);
  let wWords = param(6u);
  let wpp = param(17u);
  let kh = param(19u);
  let kw = param(20u);
  let p = pixelOf(r);
  let image = param(14u) / 4u + p.x * param(15u) * param(16u) * wpp;
  let first = (o / param(27u)) * perGroup;
  var dot = 0;
  for (var dy = 0u; dy < kh; dy++) {
    let iy = i32(p.y * param(21u) + dy * param(11u)) - iparam(23u);
    for (var dx = 0u; dx < kw; dx++) {
      let ix = i32(p.z * param(22u) + dx * param(12u)) - iparam(24u);
      let inside = iy >= 0 && iy < iparam(15u) && ix >= 0 && ix < iparam(16u);
      if (!inside && param(18u) == 0u) { continue; }
      let weights = param(3u) / 4u + ((o * kh + dy) * kw + dx) * wWords;
      let pixel = image + (u32(max(iy, 0)) * param(16u) + u32(max(ix, 0))) * wpp;
      for (var v = 0u; v < perGroup; v++) {
        let c = first + v;
        var x = 1u;
        if (inside) { x = (mem[pixel + (c >> 5u)] >> (c & 31u)) & 1u; }
        let w = (mem[weights + (v >> 5u)] >> (v & 31u)) & 1u;
        dot += select(-1, 1, x == w);
      }
    }
  }
  return dot;
}

fn dotOf(kind: u32, m: u32, n: u32) -> i32 {
  switch kind {
    case 0u: { return dotRows(m, n); }
    case 1u: { return dotConvBits(m, n); }
    case 2u: { return dotConvBytes(m, n); }
    default: { return dotConvGeneric(m, n); }
  }
}

// Threshold bits of one output word, gathered from its 32 columns' lanes.
var<workgroup> thresholdWords: array<atomic<u32>, ${WORKGROUP_SIZE / 32}>;

// One kernel of the GEMM family. dot / scaleBias: one invocation per output column. threshold: 32
// lanes per output word (one per column), the bits ORed together in workgroup memory, so that the
// columns run in parallel as in the other modes.
fn gemmFamily(kind: u32, group: u32, lane: u32) {
  // A uniform branch: the threshold path meets workgroup barriers.
  if (param(2u) == 1u) {
    gemmThreshold(kind, group, lane);
  } else {
    gemmColumn(kind, group, lane);
  }
}

fn gemmColumn(kind: u32, group: u32, lane: u32) {
  let mode = param(2u);
  let perRow = param(1u);
  let idx = group * ${WORKGROUP_SIZE}u + lane;
  let m = idx / perRow;
  let j = idx % perRow;
  if (m >= param(0u) * batch.x) { return; }
  let out = (param(7u) + m * param(8u)) / 4u + j;
  let dot = dotOf(kind, m, j);
  if (mode == 0u) {
    mem[out] = bitcast<u32>(dot);
    return;
  }
  // float32(float32(dot·scale) + bias), each operation rounded, as the CPU kernels do.
  let product = f32(dot) * bitcast<f32>(mem[param(9u) / 4u + j]);
  mem[out] = bitcast<u32>(product + bitcast<f32>(mem[param(10u) / 4u + j]));
}

fn gemmThreshold(kind: u32, group: u32, lane: u32) {
  let n = param(4u);
  let perRow = param(1u);
  let rows = param(0u) * batch.x;
  let slot = lane / 32u;
  let b = lane % 32u;
  let idx = group * ${WORKGROUP_SIZE / 32}u + slot;
  let m = idx / perRow;
  let j = idx % perRow;
  let col = j * 32u + b;
  if (b == 0u) { atomicStore(&thresholdWords[slot], 0u); }
  workgroupBarrier();
  if (m < rows && col < n) {
    let dot = dotOf(kind, m, col);
    let t = bitcast<i32>(mem[param(9u) / 4u + col]);
    if (select(dot >= t, dot <= t, byteAt(param(10u) + col) != 0u)) {
      atomicOr(&thresholdWords[slot], 1u << b);
    }
  }
  workgroupBarrier();
  // Every word of the row is written (its padding words too): the CPU kernels clear the whole row.
  if (m < rows && b == 0u) { mem[(param(7u) + m * param(8u)) / 4u + j] = atomicLoad(&thresholdWords[slot]); }
}

fn groupIndex(group: vec3<u32>, groups: vec3<u32>) -> u32 { return group.x + group.y * groups.x; }

@compute @workgroup_size(${WORKGROUP_SIZE})
fn gemm(@builtin(workgroup_id) g: vec3<u32>, @builtin(num_workgroups) gs: vec3<u32>, @builtin(local_invocation_index) l: u32) {
  gemmFamily(0u, groupIndex(g, gs), l);
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn convBits(@builtin(workgroup_id) g: vec3<u32>, @builtin(num_workgroups) gs: vec3<u32>, @builtin(local_invocation_index) l: u32) {
  gemmFamily(1u, groupIndex(g, gs), l);
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn convBytes(@builtin(workgroup_id) g: vec3<u32>, @builtin(num_workgroups) gs: vec3<u32>, @builtin(local_invocation_index) l: u32) {
  gemmFamily(2u, groupIndex(g, gs), l);
}

@compute @workgroup_size(${WORKGROUP_SIZE})
fn convGeneric(@builtin(workgroup_id) g: vec3<u32>, @builtin(num_workgroups) gs: vec3<u32>, @builtin(local_invocation_index) l: u32) {
  gemmFamily(3u, groupIndex(g, gs), l);
}

// ---- Float32 → packed bits (sign): 2 src, 3 dst, 4 channels, 5 thresholds (0: none), 6 flips (0:
// none), 8 wpp, 9 pixels. Item w: word w of the sample (words past a pixel's channels stay zero).
// bit = flip ? x ≤ τ : x ≥ τ, τ = 0 without thresholds.
@compute @workgroup_size(${WORKGROUP_SIZE})
fn signBits(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let it = item(gid, groups);
  if (it.x == 0xffffffffu) { return; }
  let channels = param(4u);
  let wpp = param(8u);
  let pixel = it.y / wpp;
  let c0 = (it.y % wpp) * 32u;
  var word = 0u;
  if (pixel < param(9u) && c0 < channels) {
    let src = param(2u) / 4u + (it.x * param(9u) + pixel) * channels;
    for (var c = c0; c < min(c0 + 32u, channels); c++) {
      let x = bitcast<f32>(mem[src + c]);
      var t = 0.0;
      if (param(5u) != 0u) { t = bitcast<f32>(mem[param(5u) / 4u + c]); }
      let flip = param(6u) != 0u && byteAt(param(6u) + c) != 0u;
      word |= select(0u, 1u << (c - c0), select(x >= t, x <= t, flip));
    }
  }
  mem[param(3u) / 4u + it.x * param(1u) + it.y] = word;
}

// ---- Bit planes: 2 src, 3 elements, 4 dst, 5 kWords. Item w: word w of each of the 8 planes.
@compute @workgroup_size(${WORKGROUP_SIZE})
fn encodePlanes(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let it = item(gid, groups);
  if (it.x == 0xffffffffu) { return; }
  let elements = param(3u);
  let kWords = param(5u);
  let first = it.y * 32u;
  let src = param(2u) + it.x * elements + first;
  let count = min(32u, elements - min(first, elements));
  var planes = array<u32, 8>(0u, 0u, 0u, 0u, 0u, 0u, 0u, 0u);
  for (var i = 0u; i < count; i++) {
    let x = byteAt(src + i);
    for (var p = 0u; p < 8u; p++) { planes[p] |= ((x >> p) & 1u) << i; }
  }
  let row = param(4u) / 4u + it.x * 8u * kWords + it.y;
  for (var p = 0u; p < 8u; p++) { mem[row + p * kWords] = planes[p]; }
}

// ---- Max-pool: 2 input, 3 height, 4 width, 5 depth (words per pixel, or float channels), 6 poolH,
// 7 poolW, 8 strideH, 9 strideW, 10 padTop, 11 padLeft, 12 outH, 13 outW, 14 out, 15 float (0/1).
// Item i: word i (OR of bits) or channel i (max of floats) of the output pixel.
@compute @workgroup_size(${WORKGROUP_SIZE})
fn maxPool(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let it = item(gid, groups);
  if (it.x == 0xffffffffu) { return; }
  let outW = param(13u);
  let perImage = param(12u) * outW;
  let b = it.x / perImage;
  let oy = i32((it.x % perImage) / outW);
  let ox = i32(it.x % outW);
  let height = iparam(3u);
  let width = iparam(4u);
  let depth = param(5u);
  let y0 = max(oy * iparam(8u) - iparam(10u), 0);
  let y1 = min(oy * iparam(8u) - iparam(10u) + iparam(6u), height);
  let x0 = max(ox * iparam(9u) - iparam(11u), 0);
  let x1 = min(ox * iparam(9u) - iparam(11u) + iparam(7u), width);
  let image = param(2u) / 4u + b * u32(height * width) * depth;
  var bits = 0u;
  // The float max starts from the first value (WGSL has no -inf literal); an empty window gives -inf.
  var best = 0xff800000u;
  var empty = true;
  for (var y = y0; y < y1; y++) {
    for (var x = x0; x < x1; x++) {
      let v = mem[image + u32(y * width + x) * depth + it.y];
      bits |= v;
      best = select(bitcast<u32>(max(bitcast<f32>(best), bitcast<f32>(v))), v, empty);
      empty = false;
    }
  }
  mem[param(14u) / 4u + it.x * depth + it.y] = select(bits, best, param(15u) == 1u);
}

// ---- XOR with a mask: 2 ptr, 3 mask. Item w: word w of the pixel.
@compute @workgroup_size(${WORKGROUP_SIZE})
fn xorMask(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let it = item(gid, groups);
  if (it.x == 0xffffffffu) { return; }
  let at = param(2u) / 4u + it.x * param(1u) + it.y;
  mem[at] = mem[at] ^ mem[param(3u) / 4u + it.y];
}

// ---- Re-striding: 2 src, 3 srcStride, 4 dst, 5 dstStride (= items), 6 words copied (the rest zero).
@compute @workgroup_size(${WORKGROUP_SIZE})
fn copyWords(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let it = item(gid, groups);
  if (it.x == 0xffffffffu) { return; }
  var v = 0u;
  if (it.y < param(6u)) { v = mem[param(2u) / 4u + it.x * param(3u) + it.y]; }
  mem[param(4u) / 4u + it.x * param(5u) + it.y] = v;
}

// ---- To float32: 2 src, 3 dst, 4 table (256 float32: the value of each byte), 5 source (0 bytes,
// 1 bits), 6 channels, 7 wpp, 8 sampleWords. Item i: element i of the sample.
@compute @workgroup_size(${WORKGROUP_SIZE})
fn toFloat(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let it = item(gid, groups);
  if (it.x == 0xffffffffu) { return; }
  let elements = param(1u);
  var v: u32;
  if (param(5u) == 0u) {
    v = mem[param(4u) / 4u + byteAt(param(2u) + it.x * elements + it.y)];
  } else {
    let channels = param(6u);
    let c = it.y % channels;
    let word = mem[param(2u) / 4u + it.x * param(8u) + (it.y / channels) * param(7u) + c / 32u];
    v = select(0xbf800000u, 0x3f800000u, ((word >> (c % 32u)) & 1u) == 1u);
  }
  mem[param(3u) / 4u + it.x * elements + it.y] = v;
}
`;
