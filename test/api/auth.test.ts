import { SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, inject, it } from 'vitest';
import { api, authHeader, expectEnvelopeError, isIsoTimestamp, registerUser, uniqueSuffix } from '../helpers/api.js';

const USER_FIELDS = ['created_at', 'email', 'id', 'updated_at', 'username'];

function newCredentials() {
  const suffix = uniqueSuffix();
  return { username: `user_${suffix}`, email: `user_${suffix}@example.test`, password: `pass-${suffix}` };
}

function register(body: unknown) {
  return api('/api/auth/register', { method: 'POST', json: body });
}

function login(body: unknown) {
  return api('/api/auth/login', { method: 'POST', json: body });
}

function profile(headers: Record<string, string> = {}) {
  return api('/api/auth/profile', { headers });
}

/** Signs an access token like the server's, with any claim or the key replaced. */
async function forgeToken(userId: number, options: { secret?: string; audience?: string; issuedAt?: number; expiresAt?: number } = {}) {
  const jwt = inject('jwt');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ typ: 'access' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(userId))
    .setIssuer(jwt.issuer)
    .setAudience(options.audience ?? jwt.audience)
    .setIssuedAt(options.issuedAt ?? now)
    .setExpirationTime(options.expiresAt ?? now + 3600)
    .sign(new TextEncoder().encode(options.secret ?? jwt.secret));
}

describe('POST /api/auth/register', () => {
  it('creates a user and returns a token', async () => {
    const credentials = newCredentials();

    const res = await register(credentials);

    expect(res.status, res.text).toBe(201);
    expect(res.body.success).toBe(true);
    expect(res.body.code).toBe(201);
    expect(res.body.message).toBe('Registration successful');
    expect(isIsoTimestamp(res.body.timestamp)).toBe(true);
    expect(res.body.data.token.split('.')).toHaveLength(3);

    const { user } = res.body.data;
    expect(Object.keys(user).sort()).toEqual(USER_FIELDS);
    expect(Number.isInteger(user.id)).toBe(true);
    expect(user.username).toBe(credentials.username);
    expect(user.email).toBe(credentials.email);
    expect(isIsoTimestamp(user.created_at)).toBe(true);
    expect(isIsoTimestamp(user.updated_at)).toBe(true);
  });

  it('never returns password fields', async () => {
    const credentials = newCredentials();

    const res = await register(credentials);

    expect(res.status).toBe(201);
    expect(res.text).not.toMatch(/password/i);
    expect(res.text).not.toContain(credentials.password);
  });

  it('rejects a duplicate email in any case with 409', async () => {
    const first = await registerUser();
    const other = newCredentials();

    const res = await register({ ...other, email: first.email.toUpperCase() });

    expectEnvelopeError(res, 409, 'CONFLICT_ERROR', 'RESOURCE_ALREADY_EXISTS');
  });

  it('rejects a duplicate username with 409', async () => {
    const first = await registerUser();
    const other = newCredentials();

    const res = await register({ ...other, username: first.username });

    expectEnvelopeError(res, 409, 'CONFLICT_ERROR', 'RESOURCE_ALREADY_EXISTS');
  });

  it('names every missing field', async () => {
    const res = await register({});

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_FIELDS');
    expect([...res.body.error.details.fields].sort()).toEqual(['email', 'password', 'username']);
  });

  it.each(['username', 'email', 'password'])('names a missing %s', async (field) => {
    const credentials: Record<string, string> = newCredentials();
    delete credentials[field];

    const res = await register(credentials);

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_FIELDS');
    expect(res.body.error.details.fields).toEqual([field]);
  });

  it.each(['username', 'email', 'password'])('names an empty %s', async (field) => {
    const credentials: Record<string, string> = { ...newCredentials(), [field]: '' };

    const res = await register(credentials);

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_FIELDS');
    expect(res.body.error.details.fields).toEqual([field]);
  });

  it('rejects a password under 6 characters', async () => {
    const res = await register({ ...newCredentials(), password: 'abc12' });

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(res.body.error.details.fields).toEqual(['password']);
  });

  it('rejects an invalid email', async () => {
    const res = await register({ ...newCredentials(), email: 'not-an-email' });

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(res.body.error.details.fields).toEqual(['email']);
  });

  it.each([
    ['username', 12345],
    ['email', 12345],
    ['password', 12345678],
    ['username', ['list']],
    ['password', { nested: true }],
  ])('rejects a %s of the wrong type (%j)', async (field, value) => {
    const res = await register({ ...newCredentials(), [field]: value });

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(res.body.error.details.fields).toEqual([field]);
  });

  it('rejects a body that is not an object', async () => {
    const res = await register(['username', 'email', 'password']);

    expect(res.status).toBe(400);
    expect(res.body.error.type).toBe('VALIDATION_ERROR');
  });
});

describe('POST /api/auth/login', () => {
  it('returns a token and the user', async () => {
    const registered = await registerUser();

    const res = await login({ email: registered.email, password: registered.password });

    expect(res.status, res.text).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.message).toBe('Login successful');
    expect(res.body.data.user).toEqual(registered.user);
    expect(res.text).not.toMatch(/password/i);

    const me = await profile(authHeader(res.body.data.token));
    expect(me.status).toBe(200);
    expect(me.body.data.id).toBe(registered.user.id);
  });

  it('accepts the email in another case', async () => {
    const registered = await registerUser();

    const res = await login({ email: registered.email.toUpperCase(), password: registered.password });

    expect(res.status, res.text).toBe(200);
    expect(res.body.data.user.id).toBe(registered.user.id);
  });

  it('rejects a wrong password with 401', async () => {
    const registered = await registerUser();

    const res = await login({ email: registered.email, password: `${registered.password}-wrong` });

    expectEnvelopeError(res, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });

  it('rejects an unknown email like a wrong password', async () => {
    const registered = await registerUser();
    const wrongPassword = await login({ email: registered.email, password: `${registered.password}-wrong` });

    const res = await login({ email: `nobody_${uniqueSuffix()}@example.test`, password: 'whatever123' });

    expectEnvelopeError(res, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
    // The same message for both, so the response does not reveal which emails have accounts.
    expect(res.body.error.message).toBe(wrongPassword.body.error.message);
  });

  it('names the missing fields of an empty body', async () => {
    const res = await login({});

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_FIELDS');
    expect([...res.body.error.details.fields].sort()).toEqual(['email', 'password']);
  });

  it('names empty fields', async () => {
    const res = await login({ email: '', password: '' });

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_FIELDS');
    expect([...res.body.error.details.fields].sort()).toEqual(['email', 'password']);
  });

  it('rejects a password of the wrong type', async () => {
    const registered = await registerUser();

    const res = await login({ email: registered.email, password: 123456 });

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
  });
});

describe('login throttling', () => {
  it('locks an account after repeated failures', async () => {
    const maxFailures = Number(inject('settings').LOGIN_MAX_FAILURES);
    const lockSeconds = Number(inject('settings').LOGIN_LOCK_SECONDS);
    const target = await registerUser();
    const bystander = await registerUser();

    for (let attempt = 1; attempt <= maxFailures; attempt++) {
      const res = await login({ email: target.email, password: `wrong-${attempt}` });
      expect(res.status, `failed attempt ${attempt}: ${res.text}`).toBe(401);
    }
    const locked = await login({ email: target.email, password: target.password });

    expectEnvelopeError(locked, 429, 'RATE_LIMIT_ERROR', 'TOO_MANY_ATTEMPTS');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter), `Retry-After: ${locked.headers.get('retry-after')}`).toBe(true);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(lockSeconds);

    const other = await login({ email: bystander.email, password: bystander.password });
    expect(other.status, other.text).toBe(200);
  });

  it('forgets failures after a successful login', async () => {
    const maxFailures = Number(inject('settings').LOGIN_MAX_FAILURES);
    const registered = await registerUser();

    for (let attempt = 1; attempt < maxFailures; attempt++) {
      expect((await login({ email: registered.email, password: `wrong-${attempt}` })).status).toBe(401);
    }
    expect((await login({ email: registered.email, password: registered.password })).status).toBe(200);
    expect((await login({ email: registered.email, password: 'wrong-again' })).status).toBe(401);

    const res = await login({ email: registered.email, password: registered.password });

    expect(res.status, res.text).toBe(200);
  });
});

describe('GET /api/auth/profile', () => {
  it('returns the user for a valid token', async () => {
    const registered = await registerUser();

    const res = await profile(authHeader(registered.token));

    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      success: true,
      code: 200,
      message: 'User information retrieved successfully',
      data: registered.user,
      timestamp: expect.any(String),
    });
  });

  it('accepts a token forged with the server secret', async () => {
    // Proves forgeToken matches the server's claims, so the rejections below test only what they change.
    const registered = await registerUser();

    const res = await profile(authHeader(await forgeToken(registered.user.id)));

    expect(res.status, res.text).toBe(200);
    expect(res.body.data.id).toBe(registered.user.id);
  });

  it('requires a token', async () => {
    expectEnvelopeError(await profile(), 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });

  it.each([
    ['a garbage token', 'Bearer not-a-jwt'],
    ['a truncated token', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0'],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['an empty bearer', 'Bearer '],
  ])('rejects %s', async (_case, authorization) => {
    const res = await profile({ Authorization: authorization });

    expectEnvelopeError(res, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });

  it('rejects a token signed with another secret', async () => {
    const registered = await registerUser();
    const token = await forgeToken(registered.user.id, { secret: 'another-secret-0123456789abcdef0123456789' });

    const res = await profile(authHeader(token));

    expectEnvelopeError(res, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });

  it('rejects an unsigned token (alg none)', async () => {
    const registered = await registerUser();
    const jwt = inject('jwt');
    const token = new UnsecuredJWT({ typ: 'access' })
      .setSubject(String(registered.user.id))
      .setIssuer(jwt.issuer)
      .setAudience(jwt.audience)
      .setIssuedAt()
      .setExpirationTime('1h')
      .encode();

    const res = await profile(authHeader(token));

    expectEnvelopeError(res, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });

  it('rejects an expired token', async () => {
    const registered = await registerUser();
    const now = Math.floor(Date.now() / 1000);
    const token = await forgeToken(registered.user.id, { issuedAt: now - 7200, expiresAt: now - 3600 });

    const res = await profile(authHeader(token));

    expectEnvelopeError(res, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });

  it('rejects a token for another audience', async () => {
    const registered = await registerUser();
    const token = await forgeToken(registered.user.id, { audience: `${inject('jwt').audience}:playback` });

    const res = await profile(authHeader(token));

    expectEnvelopeError(res, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });

  it('rejects a token of a user that does not exist', async () => {
    const res = await profile(authHeader(await forgeToken(2 ** 31 - 7)));

    expectEnvelopeError(res, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });
});
