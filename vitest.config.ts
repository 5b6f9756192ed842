import { defineConfig } from 'vitest/config';

// The same API suite runs against both runtimes: api-node starts `src/entry/node.ts`, api-workers starts
// sqld plus `wrangler dev`. Each API project's global setup runs only when that project has files to run,
// so `npx vitest run --project api-node` never starts wrangler.
const apiTests = ['test/api/**/*.test.ts'];

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
    ],
  },
});
