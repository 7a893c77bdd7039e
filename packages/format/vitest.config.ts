import { defineProject } from "vitest/config";

export default defineProject({ test: { name: "format", include: ["test/**/*.test.ts"] } });
