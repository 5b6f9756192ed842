import { sql } from 'drizzle-orm';
import { Hono } from 'hono';
import type { AppEnv, Deps } from '../env.js';
import { ok } from '../lib/envelope.js';

export const VERSION = '1.0.0';

export function systemRoutes(deps: Deps) {
  const router = new Hono<AppEnv>();

  router.get('/', (c) =>
    ok(c, 'HLSmith backend service is running normally', { message: 'HLSmith Backend Server', status: 'running', version: VERSION }),
  );

  router.get('/api/health', async (c) => {
    const now = deps.clock();
    let database: 'ok' | 'unavailable' = 'ok';
    try {
      await deps.db.run(sql`select 1`);
    } catch {
      database = 'unavailable';
    }

    const memory = deps.runtime.memory();
    const data = {
      status: database === 'ok' ? 'healthy' : 'unhealthy',
      timestamp: now.toISOString(),
      uptime: Math.floor((now.getTime() - deps.runtime.startedAt.getTime()) / 1000),
      // Workers expose no process memory figures, so the field is null there and `memory_note` explains why.
      memory,
      ...(memory ? {} : { memory_note: `The ${deps.runtime.name} runtime does not report process memory` }),
      runtime: deps.runtime.name,
      version: VERSION,
      checks: { database },
    };
    if (database !== 'ok') return c.json({ success: false, code: 503, message: 'Service health check failed', data, timestamp: now.toISOString() }, 503);
    return ok(c, 'Service health check passed', data);
  });

  return router;
}
