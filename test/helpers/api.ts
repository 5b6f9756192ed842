// Small HTTP helpers for the API tests; the server under test comes from the project's global setup.
import { expect, inject } from 'vitest';

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed JSON body, or null when the body is empty or not JSON. Tests read it freely, hence `any`. */
  body: any;
  text: string;
}

export interface ApiInit extends RequestInit {
  /** Sent as the JSON body with Content-Type: application/json. */
  json?: unknown;
  /** Server to call, for tests that start their own; defaults to the project's server. */
  baseUrl?: string;
}

/** Sends a request to the server under test; `path` starts with a slash. */
export async function api(path: string, init: ApiInit = {}): Promise<ApiResponse> {
  const { json, baseUrl, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (json !== undefined) headers.set('Content-Type', 'application/json');

  const response = await fetch((baseUrl ?? inject('baseUrl')) + path, {
    ...rest,
    headers,
    body: json !== undefined ? JSON.stringify(json) : rest.body,
  });

  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: response.status, headers: response.headers, body, text };
}

export function authHeader(token: string) {
  return { Authorization: `Bearer ${token}` };
}

/** Returns a suffix that keeps usernames and emails unique across test files, projects and reruns. */
export function uniqueSuffix() {
  return `${Date.now().toString(36)}${crypto.randomUUID().slice(0, 8)}`;
}

export interface RegisteredUser {
  token: string;
  user: { id: number; username: string; email: string; created_at: string; updated_at: string };
  email: string;
  password: string;
  username: string;
}

/** Registers a fresh user with unique names; fails the test with the response when registration fails. */
export async function registerUser(overrides: { username?: string; email?: string; password?: string; baseUrl?: string } = {}): Promise<RegisteredUser> {
  const suffix = uniqueSuffix();
  const username = overrides.username ?? `user_${suffix}`;
  const email = overrides.email ?? `user_${suffix}@example.test`;
  const password = overrides.password ?? `pass-${suffix}`;

  const res = await api('/api/auth/register', { method: 'POST', json: { username, email, password }, baseUrl: overrides.baseUrl });
  if (res.status !== 201) throw new Error(`Registering ${email} failed with HTTP ${res.status}: ${res.text}`);
  return { token: res.body.data.token, user: res.body.data.user, email, password, username };
}

export function isIsoTimestamp(value: unknown) {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString() === value;
}

/** Checks the error envelope: success false, code equal to the status, and an `error` with type, code and message. */
export function expectEnvelopeError(res: ApiResponse, status: number, type: string, code: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.body.success).toBe(false);
  expect(res.body.code).toBe(status);
  expect(typeof res.body.message).toBe('string');
  expect(res.body.error.type).toBe(type);
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(0);
  expect(isIsoTimestamp(res.body.timestamp), `timestamp ${res.body.timestamp}`).toBe(true);
}
