// State that must survive a restart of the Node entry on the same data directory.
import { createClient } from '@libsql/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, authHeader, registerUser } from '../helpers/api.js';
import { startNodeServer, type NodeServer } from '../setup/node-server.js';
import { ADMIN_EMAIL } from '../setup/settings.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'hlsmith-restart-'));
let server: NodeServer | undefined;

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

// An empty JWT_SECRET makes the server generate one into the data directory, as on a first `npm start`.
const settings = { JWT_SECRET: '' };

describe('Node entry restart', () => {
  it('keeps maxConcurrent, users and their tokens', async () => {
    server = await startNodeServer({ dataDir, settings });
    const admin = await registerUser({ email: ADMIN_EMAIL, baseUrl: server.url });
    const set = await api('/api/queue/config/concurrency', { method: 'POST', json: { maxConcurrent: 7 }, headers: authHeader(admin.token), baseUrl: server.url });
    expect(set.status, set.text).toBe(200);
    await server.stop();

    server = await startNodeServer({ dataDir, settings });
    const status = await api('/api/queue/status', { headers: authHeader(admin.token), baseUrl: server.url });
    const login = await api('/api/auth/login', { method: 'POST', json: { email: ADMIN_EMAIL, password: admin.password }, baseUrl: server.url });

    expect(status.status, 'a token from before the restart still works').toBe(200);
    expect(status.body.data.maxConcurrent).toBe(7);
    expect(login.status).toBe(200);
  });
});

describe('password hashes', () => {
  it('are rehashed at login after the iteration count is raised', async () => {
    const hashDir = mkdtempSync(path.join(tmpdir(), 'hlsmith-rehash-'));
    const storedHash = async (email: string) => {
      const client = createClient({ url: `file:${path.join(hashDir, 'hlsmith.db')}` });
      try {
        const result = await client.execute({ sql: 'SELECT password_hash FROM users WHERE email_normalized = ?', args: [email] });
        return String(result.rows[0].password_hash);
      } finally {
        client.close();
      }
    };
    let hashServer = await startNodeServer({ dataDir: hashDir, settings: { PASSWORD_ITERATIONS: '20000' } });
    try {
      const user = await registerUser({ baseUrl: hashServer.url });
      expect(await storedHash(user.email)).toMatch(/^pbkdf2-sha256\$20000\$/);
      await hashServer.stop();

      hashServer = await startNodeServer({ dataDir: hashDir, settings: { PASSWORD_ITERATIONS: '100000' } });
      const login = await api('/api/auth/login', { method: 'POST', json: { email: user.email, password: user.password }, baseUrl: hashServer.url });

      expect(login.status).toBe(200);
      expect(await storedHash(user.email)).toMatch(/^pbkdf2-sha256\$100000\$/);
    } finally {
      await hashServer.stop();
      rmSync(hashDir, { recursive: true, force: true });
    }
  });
});
