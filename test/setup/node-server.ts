// Global setup of the api-node project: runs src/entry/node.ts as its own process, exactly as
// `npm start` does, on a free port with a fresh data directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort, projectRoot, spawnService, waitForHttpOk } from '../../scripts/workers-stack.mjs';
import { ADMIN_EMAIL, JWT, RUNNER_REGISTRATION_TOKEN, provideServer, serverSettings } from './settings.js';

const STARTUP_TIMEOUT_MS = 60_000;

// Only these variables pass from the shell to the server, so a developer's DATABASE_URL or
// JWT_SECRET can never point the tests at real data.
const INHERITED_VARIABLES = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ'];

export interface NodeServer {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts the Node entry with the shared test settings. The transcoder stays off unless `transcoder`
 * is true, so a test file that needs one can start its own server with it. A given `dataDir` is
 * reused and kept on stop, so a test can restart a server on the same data.
 */
export async function startNodeServer(
  options: { transcoder?: boolean; settings?: Record<string, string>; dataDir?: string } = {},
): Promise<NodeServer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'hlsmith-api-node-'));
  const port = await freePort();
  const inherited = Object.fromEntries(INHERITED_VARIABLES.filter((name) => process.env[name]).map((name) => [name, process.env[name]]));

  const server = spawnService({
    name: 'node server',
    command: process.execPath,
    args: ['--import', 'tsx', path.join(projectRoot, 'src/entry/node.ts')],
    env: {
      ...inherited,
      ...serverSettings,
      ...options.settings,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      TRANSCODER: options.transcoder ? 'on' : 'off',
    },
    logFile: path.join(dataDir, 'server.log'),
  });

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttpOk(`${url}/api/health`, server, STARTUP_TIMEOUT_MS);
  } catch (error) {
    await server.stop();
    throw error;
  }

  return {
    url,
    dataDir,
    async stop() {
      await server.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export default async function setup(project: TestProject) {
  const started = Date.now();
  const server = await startNodeServer();
  console.log(`[api-node] Node server ready at ${server.url} in ${Date.now() - started} ms`);

  provideServer(project, { url: server.url, runtime: 'node', settings: serverSettings });

  return () => server.stop();
}
