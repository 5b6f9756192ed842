import { describe, expect, it } from 'vitest';
import { api } from '../helpers/api.js';

// Every endpoint of the API contract, as OpenAPI paths.
const CONTRACT = [
  'GET /',
  'GET /api/health',
  'POST /api/auth/register',
  'POST /api/auth/login',
  'GET /api/auth/profile',
  'POST /api/videos/upload',
  'GET /api/videos',
  'GET /api/videos/{id}',
  'GET /api/videos/{id}/status',
  'PUT /api/videos/{id}',
  'DELETE /api/videos/{id}',
  'POST /api/videos/{id}/retry',
  'POST /api/videos/{id}/share',
  'GET /api/videos/{id}/shares',
  'GET /api/videos/{id}/download',
  'POST /api/hls/{id}/convert',
  'GET /api/hls/{id}/status',
  'POST /api/hls/{id}/retry',
  'GET /api/stream/{id}/playlist.m3u8',
  'GET /api/stream/{id}/segment_{segmentId}.ts',
  'PUT /api/share/manage/shares/{shareId}/toggle',
  'DELETE /api/share/manage/shares/{shareId}',
  'GET /api/share/{token}/playlist.m3u8',
  'GET /api/share/{token}/segment_{segmentId}.ts',
  'GET /api/share/{token}/info',
  'GET /api/queue/status',
  'GET /api/queue/video/{id}',
  'POST /api/queue/retry/{jobId}',
  'POST /api/queue/config/concurrency',
  'POST /api/queue/cleanup',
  'POST /api/upload/init',
  'POST /api/upload/chunk',
  'POST /api/upload/complete',
  'GET /api/upload/status/{uploadId}',
  'DELETE /api/upload/{uploadId}',
  'POST /api/upload/cleanup',
  'GET /api/upload/cleanup/status',
];

describe('GET /api/openapi.json', () => {
  it('documents every endpoint of the contract', async () => {
    const res = await api('/api/openapi.json');

    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const documented = Object.entries(res.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    for (const endpoint of CONTRACT) expect(documented, endpoint).toContain(endpoint);
  });

  it('derives request bodies from the validation schemas', async () => {
    const res = await api('/api/openapi.json');
    const register = res.body.paths['/api/auth/register'].post.requestBody.content['application/json'].schema;
    const concurrency = res.body.paths['/api/queue/config/concurrency'].post.requestBody.content['application/json'].schema;
    const list = res.body.paths['/api/videos'].get.parameters.map((parameter: { name: string }) => parameter.name);

    expect(register.required).toEqual(expect.arrayContaining(['username', 'email', 'password']));
    expect(register.properties.password.minLength).toBe(6);
    expect(concurrency.properties.maxConcurrent.minimum).toBe(1);
    expect(concurrency.properties.maxConcurrent.maximum).toBe(10);
    expect(list).toEqual(expect.arrayContaining(['page', 'limit', 'q', 'status', 'start_date', 'end_date', 'sort_by', 'sort_order']));
  });

  it('describes the error envelope on error responses', async () => {
    const res = await api('/api/openapi.json');
    const login = res.body.paths['/api/auth/login'].post.responses;

    expect(login['401'].content['application/json'].schema.$ref).toBe('#/components/schemas/ErrorEnvelope');
    expect(res.body.components.schemas.ErrorEnvelope.required).toEqual(expect.arrayContaining(['success', 'code', 'message', 'error', 'timestamp']));
  });
});

describe('GET /api/docs', () => {
  it('serves the reference page that loads the document', async () => {
    const res = await api('/api/docs');

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('HLSmith API reference');
    expect(res.text).toContain("fetch('/api/openapi.json')");
  });
});
