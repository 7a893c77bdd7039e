import { defineProject } from "vitest/config";

export default defineProject({ test: { name: "runtime-web", include: ["test/**/*.test.ts"] } });
