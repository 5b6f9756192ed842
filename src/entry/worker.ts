// The Workers entry: the same app under wrangler/workerd, with R2 for objects and a libSQL server
// (sqld locally, Turso in production) reached over HTTP through @libsql/client/web.
import type { ExecutionContext, R2Bucket, ScheduledController } from '@cloudflare/workers-types';
import { createClient } from '@libsql/client/web';
import { createApp } from '../app.js';
import { parseConfig } from '../config.js';
import { createDatabase } from '../db/client.js';
import type { Deps } from '../env.js';
import { createJsonLogger, describeError, parseLogLevel } from '../lib/logger.js';
import { R2ObjectStore } from '../storage/r2-store.js';
import { runScheduledCleanup } from '../services/maintenance.js';

export interface WorkerBindings {
  BUCKET: R2Bucket;
  DATABASE_URL: string;
  DATABASE_AUTH_TOKEN?: string;
  [setting: string]: unknown;
}

type Built = { deps: Deps; app: ReturnType<typeof createApp> };

// Bindings are fixed for an isolate's life, so the app is built once per isolate, on its first event.
let built: Built | undefined;
const startedAt = new Date();

function build(env: WorkerBindings): Built {
  if (built) return built;
  if (!env.DATABASE_URL) throw new Error('DATABASE_URL is not set: point it at a libSQL server (sqld or Turso)');

  const settings = Object.fromEntries(Object.entries(env).filter(([, value]) => typeof value === 'string')) as Record<string, string>;
  const config = parseConfig(settings);
  const client = createClient({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN });
  const cron = Number(settings.CLEANUP_INTERVAL_SECONDS ?? 3600) * 1000;
  const deps: Deps = {
    db: createDatabase(client),
    store: new R2ObjectStore(env.BUCKET),
    config,
    clock: () => new Date(),
    logger: createJsonLogger(parseLogLevel(settings.LOG_LEVEL)),
    runtime: {
      name: 'workers',
      startedAt,
      memory: () => null,
      // The cron trigger in wrangler.toml runs hourly, on the hour.
      nextScheduledCleanup: () => new Date(Math.ceil(Date.now() / cron) * cron),
    },
  };
  built = { deps, app: createApp(deps) };
  return built;
}

export default {
  fetch(request: Request, env: WorkerBindings, ctx: ExecutionContext) {
    return build(env).app.fetch(request, env, ctx);
  },

  async scheduled(_controller: ScheduledController, env: WorkerBindings, ctx: ExecutionContext) {
    const { deps } = build(env);
    ctx.waitUntil(
      runScheduledCleanup(deps).catch((error) => deps.logger.log('error', 'Scheduled cleanup failed', describeError(error))),
    );
  },
};
