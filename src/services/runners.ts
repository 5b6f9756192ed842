import { eq } from 'drizzle-orm';
import { runners } from '../db/schema.js';
import type { Deps } from '../env.js';
import { AppError, forbidden } from '../lib/errors.js';

async function sha256Hex(text: string) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function constantTimeEqualText(a: string, b: string) {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** Registers a transcoder runner in exchange for the deployment's registration token; returns its runner token once. */
export async function registerRunner(deps: Deps, registrationToken: string, name: string) {
  const expected = deps.config.RUNNER_REGISTRATION_TOKEN;
  if (!expected) throw forbidden('Runner registration is disabled: RUNNER_REGISTRATION_TOKEN is not configured');
  if (!constantTimeEqualText(registrationToken, expected)) {
    throw new AppError(401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS', 'Invalid runner registration token');
  }

  const random = crypto.getRandomValues(new Uint8Array(32));
  const runnerToken = `hlsr_${[...random].map((byte) => byte.toString(16).padStart(2, '0')).join('')}`;
  const [runner] = await deps.db
    .insert(runners)
    .values({ name, tokenHash: await sha256Hex(runnerToken), createdAt: deps.clock().toISOString() })
    .returning();
  return { runnerId: runner.id, runnerToken };
}

/** Finds the runner that owns a runner token (only its SHA-256 is stored), or null. */
export async function findRunnerByToken(deps: Deps, runnerToken: string) {
  const [runner] = await deps.db.select().from(runners).where(eq(runners.tokenHash, await sha256Hex(runnerToken)));
  if (!runner) return null;
  await deps.db.update(runners).set({ lastSeenAt: deps.clock().toISOString() }).where(eq(runners.id, runner.id));
  return runner;
}
