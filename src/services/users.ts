import { eq, or, sql } from 'drizzle-orm';
import { users } from '../db/schema.js';
import type { Deps } from '../env.js';
import { AppError, conflict, notFound } from '../lib/errors.js';
import { hashPassword, verifyPassword } from './passwords.js';

type UserRow = typeof users.$inferSelect;

export function toUserResponse(user: UserRow) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    created_at: user.createdAt,
    updated_at: user.updatedAt,
  };
}

export function normalizeEmail(email: string) {
  return email.trim().toLowerCase();
}

function isUniqueViolation(error: unknown) {
  const text = String((error as { cause?: unknown })?.cause ?? '') + String(error);
  return /UNIQUE constraint failed/i.test(text);
}

export async function registerUser(deps: Deps, input: { username: string; email: string; password: string }) {
  const emailNormalized = normalizeEmail(input.email);
  const [existing] = await deps.db
    .select({ email: users.emailNormalized, username: users.username })
    .from(users)
    .where(or(eq(users.emailNormalized, emailNormalized), eq(users.username, input.username)));
  if (existing) throw duplicateUser(existing.email === emailNormalized ? 'email' : 'username');

  const now = deps.clock().toISOString();
  const passwordHash = await hashPassword(input.password, deps.config.PASSWORD_ITERATIONS);
  try {
    const [user] = await deps.db
      .insert(users)
      .values({ username: input.username, email: input.email.trim(), emailNormalized, passwordHash, createdAt: now, updatedAt: now })
      .returning();
    return user;
  } catch (error) {
    // Two registrations racing past the check above meet the unique index here.
    if (isUniqueViolation(error)) throw duplicateUser(/username/.test(String((error as Error).cause ?? error)) ? 'username' : 'email');
    throw error;
  }
}

function duplicateUser(field: 'email' | 'username') {
  return conflict(field === 'email' ? 'A user with this email already exists' : 'This username is already taken', { fields: [field] });
}

const invalidCredentials = () => new AppError(401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS', 'Incorrect email or password');

/**
 * Checks credentials. After LOGIN_MAX_FAILURES wrong passwords in a row the account is locked for
 * LOGIN_LOCK_SECONDS and gets 429 even with the right password. The counters live in the database,
 * so the throttle applies across Worker isolates and processes.
 */
export async function authenticate(deps: Deps, email: string, password: string) {
  const [user] = await deps.db.select().from(users).where(eq(users.emailNormalized, normalizeEmail(email)));
  if (!user) throw invalidCredentials();

  const now = deps.clock().getTime();
  if (user.lockedUntil && user.lockedUntil > now) throw tooManyAttempts(user.lockedUntil - now);

  const { valid, needsRehash } = await verifyPassword(password, user.passwordHash, deps.config.PASSWORD_ITERATIONS);
  if (!valid) {
    await recordFailure(deps, user.id, now);
    throw invalidCredentials();
  }

  const updates: Partial<UserRow> = { failedLogins: 0, lockedUntil: null };
  if (needsRehash) updates.passwordHash = await hashPassword(password, deps.config.PASSWORD_ITERATIONS);
  if (user.failedLogins > 0 || user.lockedUntil || needsRehash) await deps.db.update(users).set(updates).where(eq(users.id, user.id));
  return user;
}

async function recordFailure(deps: Deps, userId: number, now: number) {
  const lockUntil = now + deps.config.LOGIN_LOCK_SECONDS * 1000;
  // One statement, so concurrent failures all count.
  await deps.db
    .update(users)
    .set({
      failedLogins: sql`CASE WHEN ${users.failedLogins} + 1 >= ${deps.config.LOGIN_MAX_FAILURES} THEN 0 ELSE ${users.failedLogins} + 1 END`,
      lockedUntil: sql`CASE WHEN ${users.failedLogins} + 1 >= ${deps.config.LOGIN_MAX_FAILURES} THEN ${lockUntil} ELSE ${users.lockedUntil} END`,
    })
    .where(eq(users.id, userId));
}

function tooManyAttempts(remainingMs: number) {
  const seconds = Math.ceil(remainingMs / 1000);
  return new AppError(
    429,
    'RATE_LIMIT_ERROR',
    'TOO_MANY_ATTEMPTS',
    `Too many failed logins for this account; try again in ${seconds} seconds`,
    { retry_after: seconds },
    { 'Retry-After': String(seconds) },
  );
}

export async function getUser(deps: Deps, id: number) {
  const [user] = await deps.db.select().from(users).where(eq(users.id, id));
  if (!user) throw notFound('User not found');
  return user;
}
