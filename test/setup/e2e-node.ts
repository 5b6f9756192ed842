// Global setup of the e2e-node project: the Node entry with its embedded transcoder (as `npm start`
// runs it) plus one more runner process, so uploads really become HLS.
import type { TestProject } from 'vitest/node';
import { startNodeServer } from './node-server.js';
import { RUNNER_REGISTRATION_TOKEN, provideServer } from './settings.js';
import { E2E_RUNNERS, e2eSettings } from './e2e-settings.js';
import { startTranscoder } from './transcoders.js';

export default async function setup(project: TestProject) {
  const server = await startNodeServer({ transcoder: true, settings: e2eSettings });
  const runners = Array.from({ length: E2E_RUNNERS - 1 }, (_, index) =>
    startTranscoder({ apiUrl: server.url, registrationToken: RUNNER_REGISTRATION_TOKEN, name: `e2e-node-runner-${index + 1}`, logDir: server.dataDir }),
  );
  console.log(`[e2e-node] Node server with ${E2E_RUNNERS} transcoders at ${server.url} (logs in ${server.dataDir})`);

  provideServer(project, { url: server.url, runtime: 'node', settings: e2eSettings });

  return async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    await server.stop();
  };
}
