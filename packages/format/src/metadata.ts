import type { ModelMetadata, Provenance } from "./graph.js";
import { asArray, asFiniteNumber, asInteger, asObject, asString, describe, fail, own } from "./json-check.js";
import { LIMITS } from "./limits.js";

const MAX_EXTRA_FIELDS = 1_024;

function parseProvenance(v: unknown, path: string): Provenance {
  const o = asObject(v, path, "BAD_HEADER");
  const p: { -readonly [K in keyof Provenance]: Provenance[K] } = {};
  const text = (key: "dataset" | "libraryVersion" | "date") => {
    const x = own(o, key);
    if (x !== undefined) p[key] = asString(x, `${path}.${key}`, "BAD_HEADER");
  };
  text("dataset");
  const accuracy = own(o, "accuracy");
  if (accuracy !== undefined) {
    p.accuracy = asFiniteNumber(accuracy, `${path}.accuracy`, "BAD_HEADER");
    if (p.accuracy < 0 || p.accuracy > 1)
      fail("BAD_HEADER", `${path}.accuracy`, `${p.accuracy} is not a fraction in [0, 1]`);
  }
  const epochs = own(o, "epochs");
  if (epochs !== undefined)
    p.epochs = asInteger(epochs, `${path}.epochs`, "BAD_HEADER", 0, Number.MAX_SAFE_INTEGER);
  const seed = own(o, "seed");
  if (seed !== undefined) {
    p.seed = asInteger(seed, `${path}.seed`, "BAD_HEADER", Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }
  text("libraryVersion");
  text("date");
  return p;
}

/**
 * Checks metadata from untrusted JSON (or a caller) and returns a copy with only the defined
 * members. `classCount` is the graph's output vector length: labels, when present, must match it.
 */
export function parseMetadata(v: unknown, classCount: number | undefined): ModelMetadata {
  const o = asObject(v, "metadata", "BAD_HEADER");
  const m: { -readonly [K in keyof ModelMetadata]: ModelMetadata[K] } = {
    name: asString(own(o, "name"), "metadata.name", "BAD_HEADER"),
  };
  const description = own(o, "description");
  if (description !== undefined) m.description = asString(description, "metadata.description", "BAD_HEADER");
  const labels = own(o, "labels");
  if (labels !== undefined) {
    const items = asArray(labels, "metadata.labels", "BAD_HEADER", LIMITS.maxLabels);
    m.labels = items.map((l, i) => asString(l, `metadata.labels[${i}]`, "BAD_HEADER"));
    if (classCount === undefined) {
      fail("BAD_HEADER", "metadata.labels", "the graph does not end in a vector of class scores to label");
    }
    if (m.labels.length !== classCount) {
      fail("BAD_HEADER", "metadata.labels", `${m.labels.length} labels for ${classCount} output classes`);
    }
  }
  const provenance = own(o, "provenance");
  if (provenance !== undefined) m.provenance = parseProvenance(provenance, "metadata.provenance");
  const extra = own(o, "extra");
  if (extra !== undefined) {
    const e = asObject(extra, "metadata.extra", "BAD_HEADER");
    const keys = Object.keys(e);
    if (keys.length > MAX_EXTRA_FIELDS)
      fail("TOO_LARGE", "metadata.extra", `${keys.length} fields exceed the cap of ${MAX_EXTRA_FIELDS}`);
    // A null-prototype object so that keys such as "__proto__" stay plain data.
    const out: Record<string, string | number | boolean> = Object.create(null);
    for (const key of keys) {
      asString(key, "metadata.extra key", "BAD_HEADER", LIMITS.maxNameLength);
      const x = e[key];
      const path = `metadata.extra[${JSON.stringify(key)}]`;
      if (typeof x === "string") out[key] = asString(x, path, "BAD_HEADER");
      else if (typeof x === "boolean") out[key] = x;
      else if (typeof x === "number") out[key] = asFiniteNumber(x, path, "BAD_HEADER");
      else fail("BAD_HEADER", path, `expected a string, number or boolean, got ${describe(x)}`);
    }
    m.extra = out;
  }
  return m;
}
