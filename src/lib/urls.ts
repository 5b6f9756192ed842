import type { Context } from 'hono';
import type { Deps } from '../env.js';

/** Returns the origin for absolute URLs: BASE_URL when configured, otherwise the request's own origin. */
export function publicBaseUrl(c: Context, deps: Deps) {
  if (deps.config.BASE_URL) return deps.config.BASE_URL.replace(/\/+$/, '');
  return new URL(c.req.url).origin;
}
