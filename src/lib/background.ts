import type { Context } from 'hono';
import type { Deps } from '../env.js';
import { describeError } from './logger.js';

/**
 * Lets `work` finish after the response has been sent, so bookkeeping never delays it. Its errors are
 * logged with `fields` and never reach the client.
 *
 * Workers would cancel a promise left pending once the response is out, so there it is handed to
 * `executionCtx.waitUntil`. Node keeps running it anyway, and Hono's `executionCtx` getter throws there.
 */
export function runInBackground(c: Context, deps: Deps, label: string, work: Promise<unknown>, fields: Record<string, unknown> = {}) {
  const guarded = work.catch((error) => {
    deps.logger.log('error', `${label} failed`, { ...fields, ...describeError(error) });
  });

  let executionCtx: { waitUntil(promise: Promise<unknown>): void } | undefined;
  try {
    executionCtx = c.executionCtx;
  } catch {
    executionCtx = undefined;
  }
  executionCtx?.waitUntil(guarded);
}
