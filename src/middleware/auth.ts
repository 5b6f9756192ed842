import { eq } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { users } from '../db/schema.js';
import type { AppEnv, Deps } from '../env.js';
import { unauthenticated } from '../lib/errors.js';
import { verifyAccessToken } from '../services/tokens.js';

/** Reads the Bearer token from the Authorization header, or null when there is none. */
export function bearerToken(header: string | undefined) {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : null;
}

/** Requires a valid access token and loads its user; a token of a deleted user is rejected as invalid. */
export function requireUser(deps: Deps): MiddlewareHandler<AppEnv> {
  return async function authenticateUser(c, next) {
    const token = bearerToken(c.req.header('Authorization'));
    if (!token) throw unauthenticated();

    const check = await verifyAccessToken(deps.config, token, deps.clock());
    if (!check.ok) throw unauthenticated(check.reason === 'expired' ? 'Token has expired; log in again' : 'Invalid token');

    const [user] = await deps.db
      .select({ id: users.id, email: users.email, username: users.username })
      .from(users)
      .where(eq(users.id, check.value));
    if (!user) throw unauthenticated('Invalid token: the user no longer exists');

    c.set('user', user);
    await next();
  };
}

/** True when the user's email is listed in ADMIN_EMAILS (compared case-insensitively). */
export function isAdmin(deps: Deps, email: string) {
  const normalized = email.toLowerCase();
  return deps.config.ADMIN_EMAILS.some((admin) => admin.toLowerCase() === normalized);
}
