/** What the benchmark page can prepare: URLs point at the local server's in-memory files. */
export type PageWorkload =
  | {
      readonly kind: "onebit";
      readonly model: string;
      readonly input: string;
      readonly inputType: "uint8" | "float32";
      readonly batch: number;
    }
  | {
      readonly kind: "ort";
      readonly model: string;
      readonly input: string;
      readonly shape: readonly number[];
    }
  | {
      readonly kind: "tfjs-matmul" | "tfjs-mlp";
      readonly input: string;
      readonly shape: number[];
      readonly layers: readonly {
        readonly weights: string;
        readonly bias?: string;
        readonly inFeatures: number;
        readonly outFeatures: number;
      }[];
    }
  | {
      readonly kind: "bgemm";
      readonly backend: string;
      readonly a: string;
      readonly w: string;
      readonly m: number;
      readonly k: number;
      readonly n: number;
    }
  | {
      readonly kind: "tfjs-conv";
      readonly input: string;
      readonly filter: string;
      readonly size: number;
      readonly channels: number;
    }
  | {
      readonly kind: "bconv";
      readonly backend: string;
      readonly x: string;
      readonly w: string;
      readonly size: number;
      readonly channels: number;
    };
