import { defineConfig } from "vitest/config";

// `pnpm vitest` at the root runs every package's tests; each package also runs alone
// with `pnpm --filter <pkg> test`.
export default defineConfig({
  test: {
    projects: ["packages/*", "apps/*"],
  },
});
