// Run by scripts/check-pack.mjs inside a fresh npm project that installed the packed tarball.
// Node.js has fetch, Response and Blob but no Web Workers: the session runs on one thread.
import { packBitTensor, writeModel } from "@onebit/format";
import { InferenceSession, RuntimeError, getBackendInfo } from "@onebit/runtime-web";

// 4 raw bytes → exact bit-plane dot with two ±1 weight rows → logits.
const model = writeModel({
  graph: {
    nodes: [
      { op: "input", name: "x", dtype: "uint8", shape: [4] },
      {
        op: "denseBitPlane",
        name: "dense",
        weights: "w",
        output: { kind: "scaleBias", scale: "scale", bias: "bias" },
      },
    ],
  },
  tensors: new Map([
    ["w", packBitTensor(Float32Array.from([1, 1, 1, 1, 1, -1, 1, -1]), [2, 4])],
    ["scale", { dtype: "float32", shape: [2], data: Float32Array.from([1, 1]) }],
    ["bias", { dtype: "float32", shape: [2], data: Float32Array.from([0, 0.5]) }],
  ]),
  metadata: { name: "smoke", labels: ["sum", "alternating"] },
});

const session = await InferenceSession.create(new Response(model));
const result = await session.run(Uint8Array.from([1, 2, 3, 4]));
if (result.logits.join() !== "10,-1.5") throw new Error(`wrong logits ${result.logits.join()}`);
if (result.top(1)[0].label !== "sum") throw new Error("wrong top label");
if (session.getBackendInfo().threads !== 1) throw new Error("expected one thread outside a browser");
await session.dispose();
const refused = await session.run(Uint8Array.from([1, 2, 3, 4])).catch((e) => e);
if (!(refused instanceof RuntimeError) || refused.code !== "DISPOSED") throw new Error("expected DISPOSED");
console.log(`@onebit/runtime-web smoke: ok (kernels: ${getBackendInfo().backend})`);
