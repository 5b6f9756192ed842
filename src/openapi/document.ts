// Builds the OpenAPI 3.1 document from the same zod schemas the routes validate with, so the
// reference cannot drift from what the server accepts. Response shapes come from ./schemas.ts.
import { z, type ZodType } from 'zod';
import { loginBody, registerBody } from '../routes/auth.js';
import { conversionSettings } from '../routes/hls.js';
import { cleanupBody, concurrencyBody } from '../routes/queue.js';
import {
  claimBody,
  completeBody as runnerCompleteBody,
  failBody,
  heartbeatBody,
  registerBody as runnerRegisterBody,
} from '../routes/runners.js';
import { VERSION } from '../routes/system.js';
import { completeBody as uploadCompleteBody, initBody } from '../routes/upload.js';
import { listQuery, titleBody } from '../routes/videos.js';
import * as shapes from './schemas.js';

type Auth = 'user' | 'runner' | 'none' | 'user-or-playback';

interface Endpoint {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  tag: string;
  summary: string;
  auth: Auth;
  json?: ZodType;
  multipart?: Record<string, { type: 'string' | 'file' | 'integer'; description: string; required?: boolean }>;
  binaryBody?: string;
  query?: ZodType;
  status?: number;
  data?: ZodType;
  meta?: boolean;
  /** Non-JSON success body, for playlists, segments, files and pages. */
  produces?: string;
  errors: number[];
}

const idParameter = (name: string, description: string, type: 'integer' | 'string' = 'integer') => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: type === 'integer' ? { type: 'integer', minimum: 1 } : { type: 'string' },
});

const endpoints: Endpoint[] = [
  { method: 'get', path: '/', tag: 'System', summary: 'Service status', auth: 'none', data: z.object({ message: z.string(), status: z.string(), version: z.string() }), errors: [] },
  { method: 'get', path: '/api/health', tag: 'System', summary: 'Health check (memory is null on Workers, which cannot report it)', auth: 'none', data: z.object({ status: z.string(), timestamp: z.string(), uptime: z.number(), memory: z.object({ rss: z.number(), heapTotal: z.number(), heapUsed: z.number(), external: z.number() }).nullable() }), errors: [503] },
  { method: 'get', path: '/api/openapi.json', tag: 'System', summary: 'This OpenAPI document', auth: 'none', produces: 'application/json', errors: [] },
  { method: 'get', path: '/api/docs', tag: 'System', summary: 'Interactive reference page for this document', auth: 'none', produces: 'text/html', errors: [] },

  { method: 'post', path: '/api/auth/register', tag: 'Auth', summary: 'Register a user', auth: 'none', json: registerBody, status: 201, data: shapes.authResponse, errors: [400, 409] },
  { method: 'post', path: '/api/auth/login', tag: 'Auth', summary: 'Log in', auth: 'none', json: loginBody, data: shapes.authResponse, errors: [400, 401, 429] },
  { method: 'get', path: '/api/auth/profile', tag: 'Auth', summary: 'Current user', auth: 'user', data: shapes.userResponse, errors: [401, 404] },

  {
    method: 'post', path: '/api/videos/upload', tag: 'Videos', summary: 'Upload a video in one request (streamed to storage)', auth: 'user', status: 201, data: shapes.uploadedVideo, errors: [400, 401, 413],
    multipart: { title: { type: 'string', description: 'Video title', required: true }, video: { type: 'file', description: 'The video file; recognised by its content', required: true } },
  },
  { method: 'get', path: '/api/videos', tag: 'Videos', summary: 'List, search, filter and sort your videos', auth: 'user', query: listQuery, data: z.array(shapes.videoResponse), meta: true, errors: [400, 401] },
  { method: 'get', path: '/api/videos/{id}', tag: 'Videos', summary: 'Video details', auth: 'user', data: shapes.videoResponse, errors: [400, 401, 404] },
  { method: 'get', path: '/api/videos/{id}/status', tag: 'Videos', summary: 'Video processing status', auth: 'user', data: shapes.videoResponse, errors: [400, 401, 404] },
  { method: 'put', path: '/api/videos/{id}', tag: 'Videos', summary: 'Rename a video', auth: 'user', json: titleBody, data: shapes.videoResponse, errors: [400, 401, 404] },
  { method: 'delete', path: '/api/videos/{id}', tag: 'Videos', summary: 'Delete a video, its files and its shares', auth: 'user', errors: [400, 401, 404] },
  { method: 'post', path: '/api/videos/{id}/retry', tag: 'Videos', summary: 'Retry a failed video', auth: 'user', errors: [400, 401, 404] },
  { method: 'get', path: '/api/videos/{id}/download', tag: 'Videos', summary: 'Download the original (Range supported)', auth: 'user', produces: 'application/octet-stream', errors: [400, 401, 404, 416, 500] },
  { method: 'post', path: '/api/videos/{id}/share', tag: 'Sharing', summary: 'Create a share link (completed videos only)', auth: 'user', data: shapes.shareResponse, errors: [400, 401, 404] },
  { method: 'get', path: '/api/videos/{id}/shares', tag: 'Sharing', summary: "List a video's share links", auth: 'user', data: z.array(shapes.shareResponse), errors: [400, 401, 404] },

  { method: 'post', path: '/api/hls/{id}/convert', tag: 'HLS', summary: 'Queue a conversion', auth: 'user', json: conversionSettings, data: shapes.queuedConversion, errors: [400, 401, 404] },
  { method: 'get', path: '/api/hls/{id}/status', tag: 'HLS', summary: 'Conversion status with its queue job', auth: 'user', data: shapes.conversionStatus, errors: [400, 401, 404] },
  { method: 'post', path: '/api/hls/{id}/retry', tag: 'HLS', summary: 'Retry a failed conversion', auth: 'user', json: conversionSettings, data: shapes.queuedConversion, errors: [400, 401, 404] },

  { method: 'get', path: '/api/stream/{id}/playlist.m3u8', tag: 'Streaming', summary: 'HLS playlist (Bearer token or ?token= playback token)', auth: 'user-or-playback', produces: 'application/vnd.apple.mpegurl', errors: [400, 401, 404] },
  { method: 'get', path: '/api/stream/{id}/segment_{segmentId}.ts', tag: 'Streaming', summary: 'HLS segment (Range, ETag)', auth: 'user-or-playback', produces: 'video/mp2t', errors: [400, 401, 404, 416] },

  { method: 'put', path: '/api/share/manage/shares/{shareId}/toggle', tag: 'Sharing', summary: 'Enable or disable a share link', auth: 'user', errors: [400, 401, 404] },
  { method: 'delete', path: '/api/share/manage/shares/{shareId}', tag: 'Sharing', summary: 'Delete a share link', auth: 'user', errors: [400, 401, 404] },
  { method: 'get', path: '/api/share/{token}/playlist.m3u8', tag: 'Sharing', summary: 'Public playlist with absolute segment URLs', auth: 'none', produces: 'application/vnd.apple.mpegurl', errors: [400, 404] },
  { method: 'get', path: '/api/share/{token}/segment_{segmentId}.ts', tag: 'Sharing', summary: 'Public segment (cacheable for a year)', auth: 'none', produces: 'video/mp2t', errors: [400, 404, 416] },
  { method: 'get', path: '/api/share/{token}/info', tag: 'Sharing', summary: 'Public share information', auth: 'none', data: shapes.shareInfo, errors: [400, 404] },
  { method: 'get', path: '/share/{token}', tag: 'Sharing', summary: 'Share page with a player, for people', auth: 'none', produces: 'text/html', errors: [404] },

  { method: 'get', path: '/api/queue/status', tag: 'Queue', summary: 'Queue counts and concurrency limit', auth: 'user', data: shapes.queueStatus, errors: [401] },
  { method: 'get', path: '/api/queue/video/{id}', tag: 'Queue', summary: "Latest job of one of your videos", auth: 'user', data: shapes.queueJob, errors: [400, 401, 404] },
  { method: 'post', path: '/api/queue/retry/{jobId}', tag: 'Queue', summary: 'Retry a failed job of yours', auth: 'user', data: z.object({ jobId: z.number().int(), status: z.literal('retrying') }), errors: [400, 401, 404] },
  { method: 'post', path: '/api/queue/config/concurrency', tag: 'Queue', summary: 'Set the global concurrency (admins)', auth: 'user', json: concurrencyBody, data: z.object({ maxConcurrent: z.number().int() }), errors: [400, 401, 403] },
  { method: 'post', path: '/api/queue/cleanup', tag: 'Queue', summary: 'Delete old completed job records (admins)', auth: 'user', json: cleanupBody, data: z.object({ keepCount: z.number().int(), removed: z.number().int() }), errors: [400, 401, 403] },

  { method: 'post', path: '/api/upload/init', tag: 'Chunked upload', summary: 'Start a chunked upload session', auth: 'user', json: initBody, status: 201, data: shapes.uploadSession, errors: [400, 401, 413] },
  {
    method: 'post', path: '/api/upload/chunk', tag: 'Chunked upload', summary: 'Send one chunk (uploadId and chunkNumber before the chunk field, or in the query)', auth: 'user', data: shapes.uploadChunkResponse, errors: [400, 401, 404],
    multipart: { uploadId: { type: 'string', description: 'Upload session id', required: true }, chunkNumber: { type: 'integer', description: 'From 0', required: true }, chunk: { type: 'file', description: 'Exactly chunk_size bytes, except the last chunk', required: true } },
  },
  { method: 'post', path: '/api/upload/complete', tag: 'Chunked upload', summary: 'Assemble the chunks and create the video', auth: 'user', json: uploadCompleteBody, status: 201, data: shapes.uploadedVideo, errors: [400, 401, 404] },
  { method: 'get', path: '/api/upload/status/{uploadId}', tag: 'Chunked upload', summary: 'Session status: what to resend to resume', auth: 'user', data: shapes.uploadSession, errors: [400, 401, 404] },
  { method: 'delete', path: '/api/upload/{uploadId}', tag: 'Chunked upload', summary: 'Cancel a session and free its chunks', auth: 'user', errors: [400, 401, 404] },
  { method: 'post', path: '/api/upload/cleanup', tag: 'Chunked upload', summary: 'Clean up expired sessions now', auth: 'user', data: shapes.cleanupResult, errors: [401] },
  { method: 'get', path: '/api/upload/cleanup/status', tag: 'Chunked upload', summary: 'Cleanup figures and schedule', auth: 'user', data: shapes.cleanupStatusResponse, errors: [401] },

  { method: 'post', path: '/api/runners/register', tag: 'Runner protocol', summary: 'Register a transcoder with the registration token', auth: 'none', json: runnerRegisterBody, status: 201, data: z.object({ runnerId: z.number().int(), runnerToken: z.string() }), errors: [400, 401, 403] },
  { method: 'post', path: '/api/runners/jobs/claim', tag: 'Runner protocol', summary: 'Claim the next pending job under a lease', auth: 'runner', json: claimBody, data: z.object({ job: z.object({ id: z.number().int(), leaseId: z.string(), leaseExpiresAt: z.string(), leaseSeconds: z.number().int(), videoId: z.number().int(), quality: z.string(), resolution: z.string(), attempt: z.number().int(), source: z.object({ size: z.number().int(), mimeType: z.string(), url: z.string() }) }).nullable() }), errors: [400, 401] },
  { method: 'get', path: '/api/runners/jobs/{jobId}/source', tag: 'Runner protocol', summary: "Download the job's source (X-Lease-Id header, Range supported)", auth: 'runner', produces: 'application/octet-stream', errors: [401, 404, 409, 416] },
  { method: 'post', path: '/api/runners/jobs/{jobId}/heartbeat', tag: 'Runner protocol', summary: 'Renew the lease and report progress', auth: 'runner', json: heartbeatBody, data: z.object({ leaseExpiresAt: z.string() }), errors: [400, 401, 404, 409] },
  { method: 'put', path: '/api/runners/jobs/{jobId}/files/{name}', tag: 'Runner protocol', summary: 'Upload one output: playlist.m3u8, segment_NNN.ts or thumbnail.jpg', auth: 'runner', binaryBody: 'The file bytes', data: z.object({ name: z.string(), size: z.number().int() }), errors: [400, 401, 404, 409] },
  { method: 'post', path: '/api/runners/jobs/{jobId}/complete', tag: 'Runner protocol', summary: 'Complete the job (idempotent for the same lease)', auth: 'runner', json: runnerCompleteBody, data: z.object({ jobId: z.number().int(), status: z.string() }), errors: [400, 401, 404, 409] },
  { method: 'post', path: '/api/runners/jobs/{jobId}/fail', tag: 'Runner protocol', summary: 'Report a failed attempt (retried with backoff up to maxRetries)', auth: 'runner', json: failBody, data: z.object({ jobId: z.number().int(), status: z.enum(['retrying', 'failed']) }), errors: [400, 401, 404, 409] },
  { method: 'post', path: '/api/runners/jobs/{jobId}/release', tag: 'Runner protocol', summary: 'Give the job back without counting a retry', auth: 'runner', data: z.object({ jobId: z.number().int(), status: z.literal('pending') }), errors: [401, 404, 409] },
];

const statusDescriptions: Record<number, string> = {
  400: 'Invalid parameters or a business rule refused the request',
  401: 'Missing, invalid or expired token',
  403: 'Not allowed for this user',
  404: 'Not found (another user’s resource answers the same way)',
  409: 'Conflict (duplicate user, or the job is no longer leased to this runner)',
  413: 'Body larger than the configured limit',
  416: 'Range not satisfiable',
  429: 'Too many failed logins for this account',
  500: 'Internal error; the answer carries a request id',
  503: 'A dependency is unavailable',
};

function jsonSchema(schema: ZodType) {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function outputSchema(schema: ZodType) {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

const stringParameters: Record<string, string> = {
  token: 'Share token (UUID v4)',
  uploadId: 'Upload session id (UUID)',
  segmentId: 'Segment number, e.g. 000',
  name: 'Output file name',
};

function pathParameters(path: string) {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
  return names.map((name) => {
    const description = stringParameters[name];
    if (description) return idParameter(name, description, 'string');
    return idParameter(name, `${name} (positive integer)`);
  });
}

function queryParameters(schema: ZodType | undefined) {
  if (!schema) return [];
  const json = jsonSchema(schema) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: property,
  }));
}

function requestBody(endpoint: Endpoint) {
  if (endpoint.json) return { required: false, content: { 'application/json': { schema: jsonSchema(endpoint.json) } } };
  if (endpoint.multipart) {
    const properties = Object.fromEntries(
      Object.entries(endpoint.multipart).map(([name, field]) => [
        name,
        field.type === 'file' ? { type: 'string', format: 'binary', description: field.description } : { type: field.type, description: field.description },
      ]),
    );
    const required = Object.entries(endpoint.multipart).filter(([, field]) => field.required).map(([name]) => name);
    return { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties, required } } } };
  }
  if (endpoint.binaryBody) return { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } }, description: endpoint.binaryBody };
  return undefined;
}

function successResponse(endpoint: Endpoint) {
  const status = endpoint.status ?? 200;
  if (endpoint.produces) {
    return { [status]: { description: 'Success', content: { [endpoint.produces]: { schema: { type: 'string', ...(endpoint.produces.startsWith('text') || endpoint.produces.includes('json') || endpoint.produces.includes('mpegurl') ? {} : { format: 'binary' }) } } } } };
  }
  const envelope: Record<string, unknown> = {
    type: 'object',
    required: ['success', 'code', 'message', 'timestamp'],
    properties: {
      success: { const: true },
      code: { const: status },
      message: { type: 'string' },
      ...(endpoint.data ? { data: outputSchema(endpoint.data) } : {}),
      ...(endpoint.meta ? { meta: { type: 'object', properties: { pagination: { $ref: '#/components/schemas/Pagination' }, search: { type: 'object' } } } } : {}),
      timestamp: { type: 'string', format: 'date-time' },
    },
  };
  return { [status]: { description: 'Success', content: { 'application/json': { schema: envelope } } } };
}

const security: Record<Auth, unknown[]> = {
  user: [{ bearerAuth: [] }],
  runner: [{ runnerToken: [] }],
  none: [],
  'user-or-playback': [{ bearerAuth: [] }, { playbackToken: [] }],
};

/** Builds the OpenAPI 3.1 document; `serverUrl` is the origin the API is served from. */
export function buildOpenApiDocument(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of endpoints) {
    const errors = Object.fromEntries(
      endpoint.errors.map((status) => [status, { description: statusDescriptions[status], content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } } }]),
    );
    paths[endpoint.path] ??= {};
    paths[endpoint.path][endpoint.method] = {
      tags: [endpoint.tag],
      summary: endpoint.summary,
      operationId: `${endpoint.method}${endpoint.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, next: string | undefined) => (next ? next.toUpperCase() : ''))}`,
      security: security[endpoint.auth],
      parameters: [...pathParameters(endpoint.path), ...queryParameters(endpoint.query)],
      ...(requestBody(endpoint) ? { requestBody: requestBody(endpoint) } : {}),
      responses: { ...successResponse(endpoint), ...errors },
    };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'HLSmith API',
      version: VERSION,
      description: 'Video uploads, HLS conversion, streaming and share links. Every JSON response uses the envelope { success, code, message, data?, error?, meta?, timestamp }.',
    },
    servers: [{ url: serverUrl }],
    paths,
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from /api/auth/login or /api/auth/register' },
        playbackToken: { type: 'apiKey', in: 'query', name: 'token', description: 'Short-lived playback token from a video’s playback_url' },
        runnerToken: { type: 'http', scheme: 'bearer', description: 'Runner token from /api/runners/register; job calls also send X-Lease-Id' },
      },
      schemas: {
        ErrorEnvelope: outputSchema(shapes.errorEnvelope),
        Pagination: outputSchema(shapes.pagination),
      },
    },
  };
}

/** Method and OpenAPI path of every documented endpoint, for tests that check coverage. */
export const documentedEndpoints = endpoints.map((endpoint) => `${endpoint.method.toUpperCase()} ${endpoint.path}`);
