#!/usr/bin/env node
// esbuild's code splitting hoists into each entry and chunk a bare `import "./chunk-….js"` of every
// chunk it needs only through another chunk (so that the download starts early). The package is
// marked side-effect free, so a user's esbuild drops each of those imports with a warning
// ("Ignoring this import because … was marked as having no side effects"). The chunks still load
// through the imports that use them: this blanks the bare ones in dist (a line stays, so the source
// maps keep their lines), after checking that each such chunk is imported by name somewhere.
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

const dist = resolve(import.meta.dirname, "..", "dist");
const files = readdirSync(dist).filter((f) => f.endsWith(".js"));
const texts = new Map(files.map((f) => [f, readFileSync(join(dist, f), "utf8")]));
const bare = /^import "\.\/(chunk-[\w-]+\.js)";$/gm;
let dropped = 0;
for (const [file, text] of texts) {
  const out = text.replace(bare, (_line, chunk) => {
    const named = [...texts.values()].some((t) => t.includes(`} from "./${chunk}";`));
    if (!named) throw new Error(`${file}: ${chunk} is only imported bare (it would not load without it)`);
    dropped++;
    return "";
  });
  if (out !== text) writeFileSync(join(dist, file), out);
}
console.log(`runtime: dropped ${dropped} hoisted bare chunk imports from dist`);
