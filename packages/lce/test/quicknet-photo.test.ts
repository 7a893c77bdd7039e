import { IMAGENET_CLASSES } from "@tensorflow-models/mobilenet/dist/imagenet_classes.js";
import { describe, expect, it } from "vitest";
import { readTflite } from "../src/index.js";
import { quicknetBytes } from "./fixture.js";
import { larqZooPreprocess, readPhoto, topK } from "./photo.js";
import { interpretTflite } from "./tflite-interpreter.js";

// QuickNet, run by the independent test interpreter straight from the .tflite file, classifies two
// public-domain photographs plausibly. The classes accepted are the ImageNet classes that name what
// the photo shows (several overlap, e.g. the three domestic-cat classes).

const model = readTflite(quicknetBytes);
const classify = (file: string) => {
  const values = interpretTflite(model, larqZooPreprocess(readPhoto(file)));
  return values.get(model.outputs[0]!)!.data as Float32Array;
};

describe("QuickNet on photographs (test interpreter of the .tflite graph)", () => {
  it("sees a cat in chelsea.png (CC0)", () => {
    const probabilities = classify("chelsea.png");
    const top5 = topK(probabilities, 5);
    const sum = probabilities.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 4);
    // 281 tabby, 282 tiger cat, 285 Egyptian cat, 283 Persian cat, 287 lynx
    expect([281, 282, 285, 283, 287]).toContain(top5[0]);
    expect(IMAGENET_CLASSES[top5[0]!]).toMatch(/cat|tabby|lynx/);
  });

  it("sees a rocket in rocket.jpg (public domain) among its top 3", () => {
    // Top-1 is 540 "drilling platform" (the launch tower fills the crop); 657 missile and 812 space
    // shuttle follow. 744 is "projectile, missile".
    const top3 = topK(classify("rocket.jpg"), 3);
    expect(top3.some((k) => [657, 744, 812].includes(k))).toBe(true);
  });
});
