import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv, Deps } from '../env.js';
import { ok } from '../lib/envelope.js';
import { requireUser } from '../middleware/auth.js';
import { validate } from '../middleware/validate.js';
import { issueAccessToken } from '../services/tokens.js';
import { authenticate, getUser, registerUser, toUserResponse } from '../services/users.js';

const required = (field: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`),
});

export const registerBody = z.object({
  username: z
    .string(required('username'))
    .trim()
    .min(1, 'username cannot be empty')
    .max(50, 'username must be at most 50 characters')
    .regex(/^[\p{L}\p{N}_.-]+$/u, 'username may contain letters, digits, underscores, dots and hyphens only'),
  email: z.string(required('email')).trim().min(1, 'email cannot be empty').max(254).email('email is not a valid address'),
  password: z
    .string(required('password'))
    .min(1, 'password cannot be empty')
    .min(6, 'password must be at least 6 characters')
    .max(1024, 'password must be at most 1024 characters'),
});

export const loginBody = z.object({
  email: z.string(required('email')).trim().min(1, 'email cannot be empty').max(254),
  password: z.string(required('password')).min(1, 'password cannot be empty').max(1024),
});

export function authRoutes(deps: Deps) {
  const router = new Hono<AppEnv>();

  router.post('/register', validate('json', registerBody), async (c) => {
    const input = c.req.valid('json');

    const user = await registerUser(deps, input);

    const token = await issueAccessToken(deps.config, user.id, deps.clock());
    return ok(c, 'Registration successful', { token, user: toUserResponse(user) }, 201);
  });

  router.post('/login', validate('json', loginBody), async (c) => {
    const { email, password } = c.req.valid('json');

    const user = await authenticate(deps, email, password);

    const token = await issueAccessToken(deps.config, user.id, deps.clock());
    return ok(c, 'Login successful', { token, user: toUserResponse(user) });
  });

  router.get('/profile', requireUser(deps), async (c) => {
    const user = await getUser(deps, c.get('user').id);
    return ok(c, 'User information retrieved successfully', toUserResponse(user));
  });

  return router;
}
