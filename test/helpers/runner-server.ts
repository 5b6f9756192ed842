// A Node server of a test file's own, with transcoder processes the test starts one by one, so it
// can kill, count or inspect them. Registers the file's beforeAll and afterAll hooks.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startNodeServer, type NodeServer } from '../setup/node-server.js';
import { RUNNER_REGISTRATION_TOKEN } from '../setup/settings.js';
import { startTranscoder, type RunnerProcess } from '../setup/transcoders.js';

export function useServerWithRunners(settings: Record<string, string> = {}) {
  let server: NodeServer | undefined;
  const runners: RunnerProcess[] = [];
  const logDir = mkdtempSync(path.join(tmpdir(), 'hlsmith-runners-'));

  beforeAll(async () => {
    server = await startNodeServer({ settings });
  });

  afterAll(async () => {
    await Promise.all(runners.map((runner) => runner.stop()));
    await server?.stop();
  });

  return {
    /** Base URL of the server; valid once beforeAll has run. */
    url: () => server!.url,
    /** Starts one more transcoder process against the server. */
    runner(name: string) {
      const started = startTranscoder({ apiUrl: server!.url, registrationToken: RUNNER_REGISTRATION_TOKEN, name, logDir });
      runners.push(started);
      return started;
    },
  };
}
