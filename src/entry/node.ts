// The embedded default: the app on Node with a libSQL file, a filesystem object store and,
// unless TRANSCODER=off, one transcoder process beside it. Nothing else to install or run.
import { serve } from '@hono/node-server';
import { createClient } from '@libsql/client';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../app.js';
import { parseConfig } from '../config.js';
import { createDatabase } from '../db/client.js';
import type { Deps } from '../env.js';
import { createJsonLogger, describeError, parseLogLevel } from '../lib/logger.js';
import { FsObjectStore } from '../storage/fs-store.js';
import { startBackgroundTasks } from './node-background.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Reads a secret from `file`, creating it with `create()` on first start; the file is readable by its owner only. */
function persistentSecret(file: string, create: () => string) {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = create();
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

function randomSecret(bytes: number) {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString('base64url');
}

async function main() {
  const logger = createJsonLogger(parseLogLevel(process.env.LOG_LEVEL));
  const dataDir = path.resolve(process.env.DATA_DIR ?? path.join(projectRoot, 'data'));
  mkdirSync(dataDir, { recursive: true });

  const config = parseConfig({
    ...process.env,
    JWT_SECRET: process.env.JWT_SECRET || persistentSecret(path.join(dataDir, 'jwt-secret'), () => randomSecret(48)),
    RUNNER_REGISTRATION_TOKEN:
      process.env.RUNNER_REGISTRATION_TOKEN ||
      persistentSecret(path.join(dataDir, 'runner-registration-token'), () => randomSecret(32)),
  });

  const client = createClient({ url: process.env.DATABASE_URL ?? `file:${path.join(dataDir, 'hlsmith.db')}` });
  // WAL lets readers proceed while a chunk or job update commits; the busy timeout covers the rest.
  await client.execute('PRAGMA journal_mode = WAL').catch(() => undefined);
  await client.execute('PRAGMA busy_timeout = 5000').catch(() => undefined);
  await client.execute('PRAGMA foreign_keys = ON');
  const db = createDatabase(client);
  await migrate(db, { migrationsFolder: path.join(projectRoot, 'migrations') });

  const startedAt = new Date();
  let nextCleanup: Date | null = null;
  const deps: Deps = {
    db,
    store: new FsObjectStore(path.join(dataDir, 'objects')),
    config,
    clock: () => new Date(),
    logger,
    runtime: {
      name: 'node',
      startedAt,
      memory: () => {
        const { rss, heapTotal, heapUsed, external } = process.memoryUsage();
        return { rss, heapTotal, heapUsed, external };
      },
      nextScheduledCleanup: () => nextCleanup,
    },
  };

  const app = createApp(deps);
  const port = Number(process.env.PORT ?? 3001);
  const hostname = process.env.HOST ?? '127.0.0.1';
  const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
    logger.log('info', 'HLSmith listening', { url: `http://${hostname}:${info.port}`, dataDir, runtime: 'node' });
  });

  const background = startBackgroundTasks({
    deps,
    apiUrl: `http://${hostname === '0.0.0.0' ? '127.0.0.1' : hostname}:${port}`,
    projectRoot,
    dataDir,
    onNextCleanup: (at) => {
      nextCleanup = at;
    },
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log('info', 'Shutting down', { signal });
    await background.stop();
    server.close();
    client.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error) => {
  console.error(JSON.stringify({ level: 'error', message: 'HLSmith could not start', ...describeError(error) }));
  process.exit(1);
});
