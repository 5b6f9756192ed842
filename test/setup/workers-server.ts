// Global setup of the api-workers project: the Worker entry under `wrangler dev` with its own sqld,
// started the same way as `npm run dev` does, on free ports with a fresh data directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startWorkersStack } from '../../scripts/workers-stack.mjs';
import { provideServer, serverSettings } from './settings.js';

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hlsmith-api-workers-'));
  const started = Date.now();
  const stack = await startWorkersStack({
    dataDir,
    vars: serverSettings,
    log: (message) => console.log(`[api-workers] ${message}`),
  });
  console.log(`[api-workers] Worker ready at ${stack.url} in ${Date.now() - started} ms`);

  provideServer(project, { url: stack.url, runtime: 'workers', settings: serverSettings });

  return async () => {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
