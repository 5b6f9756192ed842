// The Node server's log: one JSON line per request with its id, and never a password or a token.
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, authHeader, registerUser } from '../helpers/api.js';
import { SAMPLE_VIDEO, sleep } from '../helpers/runner.js';
import { startNodeServer, type NodeServer } from '../setup/node-server.js';

let server: NodeServer;

beforeAll(async () => {
  server = await startNodeServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('request log', () => {
  it('has one line per request and no secrets', async () => {
    const user = await registerUser({ baseUrl: server.url });
    const login = await api('/api/auth/login', { method: 'POST', json: { email: user.email, password: user.password }, baseUrl: server.url });
    const profile = await api('/api/auth/profile?token=query-secret-value', { headers: authHeader(login.body.data.token), baseUrl: server.url });
    await sleep(200);

    const lines = readFileSync(path.join(server.dataDir, 'server.log'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    const requests = lines.filter((line) => line.message === 'request');
    const profileLine = requests.find((line) => line.path === '/api/auth/profile');
    const text = JSON.stringify(lines);

    expect(profileLine).toMatchObject({ method: 'GET', status: 200, requestId: profile.headers.get('x-request-id') });
    expect(typeof profileLine.durationMs).toBe('number');
    expect(requests.filter((line) => line.path === '/api/auth/login')).toHaveLength(1);
    expect(text).not.toContain(user.password);
    expect(text).not.toContain(login.body.data.token);
    expect(text).not.toContain(user.token);
    expect(text).not.toContain('query-secret-value');
  });
});

describe('a stored original gone missing', () => {
  it('answers the download with 500 naming the request', async () => {
    const owner = await registerUser({ baseUrl: server.url });
    const form = new FormData();
    form.set('title', 'Lost original');
    form.set('video', new Blob([new Uint8Array(readFileSync(SAMPLE_VIDEO))]), 'bear.webm');
    const uploaded = await api('/api/videos/upload', { method: 'POST', body: form, headers: authHeader(owner.token), baseUrl: server.url });
    expect(uploaded.status, uploaded.text).toBe(201);
    rmSync(path.join(server.dataDir, 'objects', 'originals', String(owner.user.id)), { recursive: true, force: true });

    const res = await api(`/api/videos/${uploaded.body.data.id}/download`, { headers: authHeader(owner.token), baseUrl: server.url });

    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ type: 'INTERNAL_ERROR', code: 'FILE_OPERATION_ERROR' });
    expect(res.body.error.details.request_id).toBe(res.headers.get('x-request-id'));
  });
});
