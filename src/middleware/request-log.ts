import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.js';
import type { Logger } from '../lib/logger.js';

export const REQUEST_ID_HEADER = 'X-Request-Id';

const acceptableRequestId = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Assigns each request an id (a well-formed incoming X-Request-Id is kept so a proxy's id carries through),
 * returns it in the response header and logs one line per request.
 * The line has the path without its query string, because playback tokens travel in the query.
 */
export function requestLog(logger: Logger): MiddlewareHandler<AppEnv> {
  return async function logRequest(c, next) {
    const incoming = c.req.header(REQUEST_ID_HEADER);
    const requestId = incoming && acceptableRequestId.test(incoming) ? incoming : crypto.randomUUID();
    c.set('requestId', requestId);
    const started = performance.now();

    await next();

    c.res.headers.set(REQUEST_ID_HEADER, requestId);
    // Runners poll and renew leases every few seconds; their successful calls would bury everything else.
    const routine = c.req.path.startsWith('/api/runners/jobs/') && c.res.status < 400 && c.req.method === 'POST';
    logger.log(routine ? 'debug' : 'info', 'request', {
      requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}
