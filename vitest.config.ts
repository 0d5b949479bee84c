import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Three test files at a time: most of them wait on child processes (the local endpoint, Debian's AWS CLI,
    // git, chromium) rather than compute, and CI's 2-core machine must finish .ci/run within 15 minutes.
    // With two, an idle 2-core machine used 1.5 cores and took 13.6 minutes for the suite (725 tests).
    maxWorkers: 3,
    minWorkers: 1,
    // As cmd/patchctl.ts does for the CLI: no AWS SDK Node-version notice in every test process.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
