import { defineConfig } from 'vitest/config';

// The same API suite runs against both runtimes: api-node starts `src/entry/node.ts`, api-workers starts
// sqld plus `wrangler dev`. Each API project's global setup runs only when that project has files to run,
// so `npx vitest run --project api-node` never starts wrangler.
const apiTests = ['test/api/**/*.test.ts'];
const e2eTests = ['test/e2e/**/*.test.ts'];

export default defineConfig({
  test: {
    environment: 'node',
    // API tests wait on a server in another process, and a Worker's first request builds its isolate.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: { name: 'storage', include: ['test/storage/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'transcoder', include: ['transcoder/test/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'api-node', include: apiTests, globalSetup: ['test/setup/node-server.ts'] },
      },
      {
        extends: true,
        test: { name: 'api-workers', include: apiTests, globalSetup: ['test/setup/workers-server.ts'] },
      },
      // Tests that start their own servers and transcoder processes, to crash or install them.
      {
        extends: true,
        test: { name: 'processes', include: ['test/processes/**/*.test.ts'], testTimeout: 600_000 },
      },
      // Real media through the real transcoder, so these tests wait on ffmpeg.wasm.
      {
        extends: true,
        test: { name: 'e2e-node', include: e2eTests, globalSetup: ['test/setup/e2e-node.ts'], testTimeout: 600_000 },
      },
      {
        extends: true,
        test: { name: 'e2e-workers', include: e2eTests, globalSetup: ['test/setup/e2e-workers.ts'], testTimeout: 600_000 },
      },
    ],
  },
});
