import { defineProject } from "vitest/config";

export default defineProject({ test: { name: "bitops", include: ["test/**/*.test.ts"] } });
