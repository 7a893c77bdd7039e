import type { CaseSpec, CheckResult } from "../harness/types.js";
import { graphToOnnx } from "../onnx/graph-to-onnx.js";
import { createOrtSession, loadOrt, runOrt } from "../onnx/ort.js";
import { ortGraphCases } from "./ort-graph-case.js";
import { QUICKNET_REFERENCE, loadQuicknet, quicknetInput, readQuicknetReference } from "./quicknet.js";

/**
 * QuickNet's float twin: the converted .onebit graph translated op by op into ONNX (graphToOnnx:
 * bits as ±1 floats, binary convolutions as float convolutions over ±1 weights), so onnxruntime-node
 * runs the same function in float32 — the float graph QuickNet stands for, as the residual section's
 * baseline. Its output is the graph's, the probabilities after the softmax.
 */

/** The residual section's QuickNet group (residual.ts names it the same). */
export const QUICKNET_GROUP = "quicknet 224x224x3 batch 1";

const INPUT_DIMS = [1, 224, 224, 3];

let cached: Uint8Array | undefined;

/** The ONNX bytes of QuickNet's twin (about 42 MB: the binary weights as floats), built once per process. */
export function quicknetOnnx(): Uint8Array {
  cached ??= graphToOnnx(loadQuicknet().model, "quicknet-float-twin");
  return cached;
}

/** One run of the twin on one 224×224×3 image (NHWC), in a 1-thread session of its own. */
export async function runQuicknetTwin(x: Float32Array): Promise<Float32Array> {
  const { ort, reason } = await loadOrt();
  if (!ort) throw new Error(`onnxruntime-node unavailable: ${reason}`);
  const session = await createOrtSession(ort, quicknetOnnx(), 1);
  try {
    return await runOrt(ort, session, x, INPUT_DIMS);
  } finally {
    await session.release();
  }
}

/** Probabilities against the reference interpreter's, kept in quicknet-reference.json. */
export function checkQuicknetProbabilities(p: Float32Array): CheckResult {
  const ref = readQuicknetReference();
  if (!ref)
    return { ok: false, reason: `no reference probabilities at ${QUICKNET_REFERENCE} (see quicknet.ts)` };
  if (p.length !== ref.probabilities.length)
    return { ok: false, reason: `${p.length} probabilities, the reference has ${ref.probabilities.length}` };
  for (let i = 0; i < p.length; i++) {
    const want = ref.probabilities[i]!;
    if (!(Math.abs(p[i]! - want) <= 1e-4 + 1e-3 * want))
      return { ok: false, reason: `probability ${i} = ${p[i]}, reference ${want}` };
  }
  return { ok: true };
}

export function quicknetOrtCases(threads: number, group = QUICKNET_GROUP): CaseSpec<Float32Array>[] {
  return ortGraphCases(
    {
      group,
      what: "QuickNet's float twin (the same graph in float32)",
      onnx: quicknetOnnx,
      input: quicknetInput,
      dims: INPUT_DIMS,
      check: checkQuicknetProbabilities,
    },
    threads,
  );
}
