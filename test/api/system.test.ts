import http from 'node:http';
import net from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { api, authHeader, type ApiResponse, expectEnvelopeError, isIsoTimestamp, registerUser } from '../helpers/api.js';

describe('GET /', () => {
  it('returns the service status', async () => {
    const res = await api('/');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      code: 200,
      message: 'HLSmith backend service is running normally',
      data: { message: 'HLSmith Backend Server', status: 'running', version: '1.0.0' },
      timestamp: expect.any(String),
    });
    expect(isIsoTimestamp(res.body.timestamp)).toBe(true);
  });
});

describe('GET /api/health', () => {
  it('reports a healthy service', async () => {
    const res = await api('/api/health');

    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect(res.body.code).toBe(200);
    expect(res.body.message).toBe('Service health check passed');
    expect(res.body.data.status).toBe('healthy');
    expect(isIsoTimestamp(res.body.data.timestamp)).toBe(true);
    expect(Number.isInteger(res.body.data.uptime)).toBe(true);
    expect(res.body.data.uptime).toBeGreaterThanOrEqual(0);
    expect(res.body.data.runtime).toBe(inject('runtime'));
    expect(res.body.data.checks).toEqual({ database: 'ok' });
  });

  it('reports memory where the runtime can', async () => {
    const { data } = (await api('/api/health')).body;

    if (inject('runtime') === 'node') {
      expect(data.memory).toEqual({
        rss: expect.any(Number),
        heapTotal: expect.any(Number),
        heapUsed: expect.any(Number),
        external: expect.any(Number),
      });
      expect(data.memory.rss).toBeGreaterThan(0);
      expect(data.memory.heapUsed).toBeGreaterThan(0);
      expect(data.memory_note).toBeUndefined();
    } else {
      expect(data.memory).toBeNull();
      expect(data.memory_note).toMatch(/memory/i);
    }
  });
});

describe('unknown routes', () => {
  it.each(['/api/no-such-route', '/no-such-page'])('GET %s returns 404 envelope', async (path) => {
    const res = await api(path);

    expectEnvelopeError(res, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
  });

  it('answers a wrong method on a known path with 405 and Allow', async () => {
    const health = await api('/api/health', { method: 'DELETE' });
    const login = await api('/api/auth/login', { method: 'GET' });

    expectEnvelopeError(health, 405, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(health.headers.get('allow')).toBe('GET, HEAD');
    expectEnvelopeError(login, 405, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(login.headers.get('allow')).toBe('POST');
  });

  it('answers GET on the upload endpoint with 405, not an invalid id', async () => {
    const user = await registerUser();
    const res = await api('/api/videos/upload', { headers: authHeader(user.token) });

    expectEnvelopeError(res, 405, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(res.headers.get('allow')).toBe('POST');
  });
});

describe('JSON bodies', () => {
  it('rejects malformed JSON with 400', async () => {
    const res = await api('/api/auth/register', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"username": "a", "email": ',
    });

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
  });

  it('rejects a body over the limit with 413', async () => {
    const res = await postOnNewConnection('/api/auth/login', oversizedLoginBody(), { 'Content-Type': 'application/json' });

    expectEnvelopeError(res, 413, 'PAYLOAD_TOO_LARGE_ERROR', 'PAYLOAD_TOO_LARGE');
  });

  it('rejects a chunked body over the limit with 413', async () => {
    // Without Content-Length the server can only find out by counting while it reads.
    const res = await postOnNewConnection('/api/auth/login', oversizedLoginBody(), {
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
    });

    expectEnvelopeError(res, 413, 'PAYLOAD_TOO_LARGE_ERROR', 'PAYLOAD_TOO_LARGE');
  });

  it('keeps a kept-alive connection usable after 413', async () => {
    const exchange = await oversizedThenGetOnOneSocket();

    expect(exchange.first).toMatch(/^HTTP\/1\.1 413 /);
    // A server may close the connection after a 413, but then it has to say so.
    if (/^connection:\s*close\s*$/im.test(exchange.first)) return;
    expect(exchange.second, `response to GET / on the same connection, after:\n${exchange.first}`).toMatch(/^HTTP\/1\.1 200 /);
  });
});

/** Builds a login body just over the server's MAX_JSON_BYTES. */
function oversizedLoginBody() {
  const limit = Number(inject('settings').MAX_JSON_BYTES);
  return Buffer.from(JSON.stringify({ email: 'big@example.test', password: 'x'.repeat(limit) }));
}

/**
 * POSTs `body` on a connection of its own, written in 64 KiB pieces to the end even when the server
 * responds early. Early responses close connections, so sharing fetch's pool would fail later tests,
 * and a client that disconnects while still sending a body makes `wrangler dev` 4.86 exit.
 */
function postOnNewConnection(path: string, body: Buffer, headers: Record<string, string>): Promise<ApiResponse> {
  const url = new URL(path, inject('baseUrl'));
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = null;
        }
        resolve({ status: response.statusCode ?? 0, headers: responseHeaders, body: parsed, text });
      });
    });
    request.on('error', reject);

    if (!headers['Transfer-Encoding']) request.setHeader('Content-Length', body.length);
    for (let offset = 0; offset < body.length; offset += 64 * 1024) request.write(body.subarray(offset, offset + 64 * 1024));
    request.end();
  });
}

/**
 * Sends an oversized POST and then GET / on one raw keep-alive socket, and returns both raw responses
 * (the second is empty when the server closed the connection).
 */
function oversizedThenGetOnOneSocket(): Promise<{ first: string; second: string }> {
  const { hostname, port, host } = new URL(inject('baseUrl'));
  const body = oversizedLoginBody();

  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let received = Buffer.alloc(0);
    let first: string | null = null;

    const finish = () => {
      socket.destroy();
      resolve({ first: first ?? received.toString('latin1'), second: first === null ? '' : received.toString('latin1') });
    };
    socket.setTimeout(10_000, finish);
    // A server that closes after its 413 may do so while the body is still being written (EPIPE).
    socket.on('error', (error) => (first === null && !completeResponse(received) ? reject(error) : finish()));
    socket.on('end', finish);

    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const response = completeResponse(received);
      if (!response) return;
      if (first === null) {
        first = response;
        received = received.subarray(Buffer.byteLength(response, 'latin1'));
        socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      } else {
        received = Buffer.from(response, 'latin1');
        finish();
      }
    });

    socket.on('connect', () => {
      socket.write(
        `POST /api/auth/login HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      socket.write(body);
    });
  });
}

/** Returns the first complete HTTP/1.1 response (with a Content-Length body) in `data`, or null while it is incomplete. */
function completeResponse(data: Buffer) {
  const headerEnd = data.indexOf('\r\n\r\n');
  if (headerEnd < 0) return null;
  const head = data.subarray(0, headerEnd).toString('latin1');
  const length = Number(/^content-length:\s*(\d+)\s*$/im.exec(head)?.[1] ?? 0);
  const total = headerEnd + 4 + length;
  return data.length >= total ? data.subarray(0, total).toString('latin1') : null;
}

describe('X-Request-Id', () => {
  it.each([
    ['GET', '/', 200],
    ['GET', '/api/health', 200],
    ['GET', '/api/no-such-route', 404],
    ['GET', '/api/auth/profile', 401],
    ['POST', '/api/auth/login', 400],
  ])('is set on %s %s (%i)', async (method, path, status) => {
    const res = await api(path, { method, ...(method === 'POST' ? { json: {} } : {}) });

    expect(res.status).toBe(status);
    expect(res.headers.get('x-request-id')).toMatch(/^[A-Za-z0-9._-]{8,}$/);
  });

  it('is set on a CORS preflight', async () => {
    const res = await api('/api/auth/login', {
      method: 'OPTIONS',
      headers: { Origin: 'http://other.example', 'Access-Control-Request-Method': 'POST' },
    });

    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('differs between requests', async () => {
    const first = await api('/');
    const second = await api('/');

    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
  });

  it('echoes a well-formed incoming id', async () => {
    const id = `test-${crypto.randomUUID()}`;
    const res = await api('/', { headers: { 'X-Request-Id': id } });

    expect(res.headers.get('x-request-id')).toBe(id);
  });

  it('replaces a malformed incoming id', async () => {
    const res = await api('/', { headers: { 'X-Request-Id': 'bad id with spaces' } });

    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(res.headers.get('x-request-id')).not.toBe('bad id with spaces');
  });
});

describe('CORS', () => {
  const origin = 'http://other.example';

  it('answers a preflight from another origin', async () => {
    const res = await api('/api/auth/login', {
      method: 'OPTIONS',
      headers: {
        Origin: origin,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, authorization',
      },
    });

    expect(res.status).toBe(204);
    expect([origin, '*']).toContain(res.headers.get('access-control-allow-origin'));
    expect(res.headers.get('access-control-allow-methods')).toMatch(/\bPOST\b/);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(/\bauthorization\b/);
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toMatch(/\bcontent-type\b/);
  });

  it('allows another origin on a simple request', async () => {
    const res = await api('/api/health', { headers: { Origin: origin } });

    expect(res.status).toBe(200);
    expect([origin, '*']).toContain(res.headers.get('access-control-allow-origin'));
    expect(res.headers.get('access-control-expose-headers')?.toLowerCase()).toContain('x-request-id');
  });
});
