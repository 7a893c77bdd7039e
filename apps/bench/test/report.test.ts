import { describe, expect, it } from "vitest";
import type { CaseResult, Section, Summary } from "../src/harness/types.js";
import { validateReport } from "../src/report/json.js";
import { renderMarkdown } from "../src/report/markdown.js";
import { genericTable } from "../src/report/tables.js";
import { type BenchReport, REPORT_SCHEMA } from "../src/report/report.js";
import { renderSvg } from "../src/report/svg.js";
import { escapeXml } from "../src/report/svg-chart.js";
import { renderTerminal } from "../src/report/terminal.js";
import { listCases, runBench } from "../src/run-bench.js";

function time(median: number): Summary {
  return {
    n: 5,
    min: median * 0.9,
    max: median * 1.2,
    mean: median,
    median,
    p25: median * 0.95,
    p75: median * 1.05,
    mad: median * 0.03,
  };
}

function result(impl: string, over: Partial<CaseResult>): CaseResult {
  return {
    id: `gemm/1x64x64/${impl}`,
    section: "gemm",
    group: "1x64x64",
    impl,
    label: impl,
    precision: "float32",
    threads: 1,
    baseline: false,
    status: "ok",
    ...over,
  };
}

const machine: BenchReport["machine"] = {
  cpuModel: "Test CPU <x86> & co",
  logicalCores: 2,
  availableParallelism: 2,
  totalMemoryBytes: 8 * 2 ** 30,
  platform: "Linux 6",
  arch: "x64",
  node: "v20.0.0",
  v8: "11",
  wasmSimd: true,
  wasmThreads: true,
  loadAverage1m: 0.5,
  backends: [{ package: "@onebit/bitops", info: { backend: "wasm-i64" } }],
};

const report: BenchReport = {
  schema: REPORT_SCHEMA,
  createdAt: "2026-11-26T03:00:00.000Z",
  command: "pnpm bench",
  options: { mode: "quick", threads: 2 },
  durationSeconds: 12.5,
  machine,
  maxRssBytes: 300e6,
  sections: [
    {
      id: "gemm",
      title: "1. GEMM kernels",
      description: "C = A·B",
      notes: ["a note with a | pipe"],
      results: [
        result("ort-1t", {
          baseline: true,
          time: time(1e-3),
          cpuTime: time(9e-4),
          speedup: 1,
          bytes: 16384,
          sizeRatio: 1,
          work: { count: 8192, unit: "FLOP" },
          rate: 8.192e6,
        }),
        result("bgemm", { precision: "binary", time: time(5e-5), speedup: 20, bytes: 512, sizeRatio: 32 }),
        result('slow <&> "ts"', { time: time(0.1), speedup: 0.01 }),
        result("broken", { precision: "binary", status: "wrong", note: "C[0][3] = 5, expected 7" }),
        result("thrower", { status: "error", note: "Error: boom" }),
      ],
      extra: {
        profiles: [
          {
            model: "mlp",
            batch: 1,
            repeats: 5,
            steps: [
              { node: "l0", op: "gemm", rows: 1, batch: 1, ms: 0.3 },
              { node: "l1", op: "gemm", rows: 1, batch: 1, ms: 0.1 },
            ],
          },
        ],
      },
    },
    {
      id: "memory",
      title: "5. Memory",
      description: "bytes",
      notes: [],
      results: [],
      extra: {
        modelBytes: [{ model: "mlp", binaryBytes: 1000, float32Bytes: 31600, ratio: 31.6, what: "weights" }],
        peakRss: [
          { variant: "baseline", label: "baseline", maxRssBytes: 50e6 },
          { variant: "binary-mlp", label: "binary", maxRssBytes: 60e6, overBaselineBytes: 10e6 },
        ],
      },
    },
  ],
};

/** A strict-enough well-formedness check: balanced tags, quoted attributes, no raw & or < in text. */
function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  const token = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|<\?[^>]*\?>|([^<]+)|(<)/g;
  for (const m of xml.matchAll(token)) {
    if (m[6]) problems.push(`stray < at ${m.index}`);
    else if (m[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos|#\d+);)/.test(m[5])) problems.push(`raw & in text at ${m.index}`);
      if (m[5].includes(">") && !m[5].trim().startsWith("<")) problems.push(`raw > in text at ${m.index}`);
    } else if (m[2]) {
      if (m[1]) {
        if (stack.pop() !== m[2]) problems.push(`mismatched </${m[2]}> at ${m.index}`);
      } else if (!m[4]) stack.push(m[2]);
    }
  }
  if (stack.length) problems.push(`unclosed ${stack.join(", ")}`);
  const reassembled = [...xml.matchAll(token)].map((m) => m[0]).join("");
  if (reassembled !== xml) problems.push("unparsed content");
  return problems;
}

describe("report rendering", () => {
  it("writes a conforming JSON document that survives a round trip", () => {
    expect(validateReport(report)).toEqual([]);
    expect(validateReport(JSON.parse(JSON.stringify(report)))).toEqual([]);
  });

  it("the JSON check names what is wrong and where", () => {
    const broken = JSON.parse(JSON.stringify(report));
    broken.sections[0].results[3].time = broken.sections[0].results[0].time;
    broken.sections[0].results[1].status = "fast";
    broken.sections[0].results[0].time.p25 = 1;
    delete broken.machine.cpuModel;
    broken.options.mode = "medium";
    expect(validateReport(broken)).toEqual([
      "$.options.mode: quick or full",
      "$.machine.cpuModel: missing",
      "$.sections[0].results[0].time: quantiles out of order",
      "$.sections[0].results[1].status: ok, wrong, error or skipped",
      "$.sections[0].results[1].time: only correct (ok) results are timed",
      "$.sections[0].results[3].time: only correct (ok) results are timed",
    ]);
    expect(validateReport([])).toEqual(["$: expected an object"]);
  });

  it("Markdown: every table row has the header's column count; pipes in cells are escaped", () => {
    const md = renderMarkdown(report);
    const lines = md.split("\n");
    const cells = (l: string) => l.replace(/\\\|/g, "").split("|").length;
    let header = 0;
    let tables = 0;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (!l.startsWith("|")) {
        header = 0;
        continue;
      }
      if (header === 0) {
        header = cells(l);
        tables++;
        expect(lines[i + 1]).toMatch(/^\|(-{3}|-{3}:)(\|(-{3}|-{3}:))*\|$/);
      } else expect(cells(l)).toBe(header);
    }
    expect(tables).toBe(4); // results, a layer profile, model bytes, peak RSS
    expect(md).toContain("| l0 | gemm | 1 | 300 µs | 75.0 % |");
    expect(md).toContain("| total |  |  | 400 µs | 100 % |");
    expect(md).toContain(
      "| 1x64x64 | ort-1t | 1 | 1.00 ms | 950 µs–1.05 ms | 900 µs | 0.01 GFLOP/s | 1.00× |  | 1.00× | baseline |",
    );
    expect(md).toContain("WRONG: C[0][3] = 5, expected 7");
    expect(md).toContain("- a note with a | pipe");
    expect(md).toContain("![speedup per workload](speedup.svg)");
  });

  it("SVG: well-formed, text escaped, one bar per timed result with a speedup", () => {
    const svg = renderSvg(report);
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain("slow &lt;&amp;&gt; &quot;ts&quot;");
    expect(svg).toContain("Test CPU &lt;x86&gt; &amp; co");
    const bars = svg.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="12"/g) ?? [];
    expect(bars).toHaveLength(3);
    expect(svg).toContain(">WRONG<");
    expect(svg).toContain(">ERROR<");
    expect(svg).toContain(">20.0×<");
    // Decades from 0.01× to 100× (speedups 0.01 … 20).
    for (const d of ["0.01×", "0.10×", "1.00×", "10.0×", "100×"]) expect(svg).toContain(`>${d}<`);
  });

  it("wide pre-timed rows are transposed: one column per row, headed by its first value", () => {
    const rows = [0, 1].map((i) =>
      Object.fromEntries(
        ["shape", ...Array.from({ length: 9 }, (_, k) => `m${k}`)].map((k, j) => [
          k,
          j === 0 ? `s${i}` : j + i / 3,
        ]),
      ),
    );
    const t = genericTable(rows, "wide");
    expect(t.columns.map((c) => c.header)).toEqual(["shape", "s0", "s1"]);
    expect(t.rows[0]).toEqual(["m0", "1", "1.333"]);
    expect(t.rows).toHaveLength(9);
    const narrow = genericTable([{ a: 1, b: "x" }]);
    expect(narrow.columns).toEqual([
      { header: "a", align: "right" },
      { header: "b", align: "left" },
    ]);
  });

  it("the check itself catches malformed XML", () => {
    expect(xmlProblems("<svg><g></svg>")).not.toEqual([]);
    expect(xmlProblems("<svg><text>a & b</text></svg>")).toEqual(["raw & in text at 11"]);
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
  });

  it("the headline says slower when the binary case loses", () => {
    const slow = JSON.parse(JSON.stringify(report)) as BenchReport;
    const rows = slow.sections[0]!.results as unknown as Record<string, unknown>[];
    rows[1]!.speedup = 0.5;
    rows[1]!.time = time(2e-3);
    expect(renderTerminal(slow)).toContain(
      "1x64x64: binary 2.00 ms vs 1.00 ms float32 baseline → 2.00× slower, 32.0× smaller",
    );
  });

  it("terminal: machine, tables, notes, failures and the headline", () => {
    const text = renderTerminal(report);
    expect(text).toContain("Test CPU <x86> & co · 2 logical cores");
    expect(text).toContain("WRONG: C[0][3] = 5, expected 7");
    expect(text).toContain("ERROR: Error: boom");
    expect(text).toContain(
      "1x64x64: binary 50.0 µs vs 1.00 ms float32 baseline → 20.0× faster, 32.0× smaller",
    );
    expect(text).toContain("Peak resident memory");
  });
});

describe("--list", () => {
  it("lists the ids the filter keeps, grouped by workload, without setting anything up", async () => {
    let setups = 0;
    const spec = (group: string, impl: string) => ({
      section: "demo",
      group,
      impl,
      label: impl,
      precision: "float32" as const,
      threads: 1,
      setup: () => {
        setups++;
        return { run: () => 0, check: () => ({ ok: true as const }) };
      },
    });
    const section: Section = {
      id: "demo",
      title: "demo",
      description: "",
      async plan(ctx) {
        expect(ctx.listOnly).toBe(true);
        return {
          notes: [],
          cases: [spec("a", "x"), spec("b", "x"), spec("a", "y")],
          finish: async () => ({}),
        };
      },
    };
    const options = { mode: "quick", threads: 2, json: false, outDir: "/tmp/unused", list: true } as const;
    expect(await listCases(options, [section])).toEqual([
      "demo/a/x",
      "demo/a/y",
      "demo/b/x",
      "demo (untimed figures)",
    ]);
    expect(await listCases({ ...options, filter: /\/y$/ }, [section])).toEqual(["demo/a/y"]);
    expect(setups).toBe(0);
  });
});

describe("a real run of the harness", () => {
  it("produces a report that passes the JSON check, with the wrong case untimed", async () => {
    let wrongRuns = 0;
    const section: Section = {
      id: "demo",
      title: "demo",
      description: "two tiny cases",
      async plan() {
        const common = { section: "demo", group: "sum", precision: "float32", threads: 1 } as const;
        return {
          notes: [],
          cases: [
            {
              ...common,
              impl: "right",
              label: "right",
              baseline: true,
              setup: () => ({
                run: () => 1 + 1,
                check: (x: number) => (x === 2 ? { ok: true } : { ok: false, reason: "no" }),
              }),
            },
            {
              ...common,
              impl: "wrong",
              label: "wrong",
              setup: () => ({
                run: () => {
                  wrongRuns++;
                  return 3;
                },
                check: (x: number) => (x === 2 ? { ok: true } : { ok: false, reason: `${x} ≠ 2` }),
              }),
            },
          ],
        };
      },
    };
    const r = await runBench(
      { mode: "quick", threads: 1, json: false, outDir: "/tmp/unused", list: false },
      "pnpm bench",
      [section],
    );
    expect(validateReport(JSON.parse(JSON.stringify(r)))).toEqual([]);
    const [right, wrong] = r.sections[0]!.results;
    expect(right).toMatchObject({ status: "ok", speedup: 1, baseline: true });
    expect(wrong).toMatchObject({ status: "wrong", note: "3 ≠ 2" });
    expect(wrong!.time).toBeUndefined();
    expect(wrongRuns).toBe(1);
  });
});
