import type { Context, ErrorHandler, Hono, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../env.js';
import { AppError, methodNotAllowed } from '../lib/errors.js';
import { errorEnvelope, statusMessages } from '../lib/envelope.js';
import { describeError, type Logger } from '../lib/logger.js';
import { RangeNotSatisfiableError } from '../storage/types.js';

function send(c: Context<AppEnv>, error: AppError) {
  const summary = error.type === 'BUSINESS_ERROR' ? 'Business logic error' : statusMessages[error.status];
  // Every server-side failure names its request, so a report can be matched to the log line.
  const details = error.status >= 500 ? { request_id: c.get('requestId'), ...error.details } : error.details;
  const body = errorEnvelope(error.status, summary ?? 'Request failed', {
    type: error.type,
    code: error.code,
    message: error.message,
    ...(details ? { details } : {}),
  });
  const response = c.json(body, error.status);
  for (const [name, value] of Object.entries(error.headers ?? {})) response.headers.set(name, value);
  return response;
}

/** Maps Hono's own HTTP exceptions (bad JSON, body limit, ...) onto the spec's error types. */
function fromHttpException(error: HTTPException): AppError {
  const status = error.status;
  if (status === 400) {
    const message = /json/i.test(error.message) ? 'Malformed JSON in request body' : error.message || 'Bad request';
    return new AppError(400, 'VALIDATION_ERROR', 'INVALID_PARAMS', message);
  }
  if (status === 401) return new AppError(401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS', error.message || 'Unauthorized');
  if (status === 413) return new AppError(413, 'PAYLOAD_TOO_LARGE_ERROR', 'PAYLOAD_TOO_LARGE', error.message || 'Request body too large');
  if (status === 404) return new AppError(404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND', error.message || 'Not found');
  return new AppError(status, 'INTERNAL_ERROR', 'INTERNAL_ERROR', error.message || 'Request failed');
}

export function handleError(logger: Logger): ErrorHandler<AppEnv> {
  return function onError(error, c) {
    if (error instanceof AppError) return send(c, error);
    if (error instanceof HTTPException) return send(c, fromHttpException(error));
    if (error instanceof RangeNotSatisfiableError) {
      return send(
        c,
        new AppError(416, 'VALIDATION_ERROR', 'INVALID_PARAMS', 'Requested range is not satisfiable', undefined, {
          'Content-Range': `bytes */${error.size}`,
        }),
      );
    }

    const requestId = c.get('requestId');
    logger.log('error', `Unhandled error on ${c.req.method} ${c.req.path}`, { requestId, ...describeError(error) });
    return send(
      c,
      new AppError(500, 'INTERNAL_ERROR', 'INTERNAL_ERROR', 'An unexpected error occurred; quote the request id when reporting it', {
        request_id: requestId,
      }),
    );
  };
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE'];

/**
 * Responds to unmatched requests with 405 with an Allow header when the path exists for other methods,
 * otherwise 404. `allowedMethods(path)` lists the methods that have an endpoint at the path.
 */
export function handleNotFound(allowedMethods: (path: string) => string[]): NotFoundHandler<AppEnv> {
  return function notFound(c) {
    const allowed = allowedMethods(c.req.path);
    if (allowed.length > 0) return send(c, methodNotAllowed(c.req.method, c.req.path, allowed));
    return send(c, new AppError(404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND', `No route for ${c.req.method} ${c.req.path}`));
  };
}

/** Builds the lookup for handleNotFound from an app's registered endpoints (middleware excluded). */
export function endpointMethods(app: Hono<AppEnv>) {
  const endpoints = new Set(app.routes.filter((route) => route.method !== 'ALL').map((route) => route.handler));
  return (path: string) => {
    const allowed = METHODS.filter((method) => {
      const [matches] = app.router.match(method, path) as unknown as [[unknown, unknown][]];
      return matches.some(([entry]) => {
        const handler = Array.isArray(entry) ? entry[0] : entry;
        return endpoints.has(handler as never);
      });
    });
    // Hono serves HEAD with the GET handler.
    return allowed.includes('GET') ? ['GET', 'HEAD', ...allowed.slice(1)] : allowed;
  };
}
