import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export interface Pagination {
  page: number;
  limit: number;
  total: number;
  pages: number;
  has_next: boolean;
  has_prev: boolean;
}

export interface Meta {
  pagination?: Pagination;
  search?: Record<string, unknown>;
}

export interface ErrorDetail {
  type: string;
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

export interface Envelope<T = unknown> {
  success: boolean;
  code: number;
  message: string;
  data?: T;
  error?: ErrorDetail;
  meta?: Meta;
  timestamp: string;
}

/** Sends a success envelope; `data` and `meta` are left out when undefined, as in the spec's examples. */
export function ok<T>(c: Context, message: string, data?: T, status: ContentfulStatusCode = 200, meta?: Meta) {
  const body: Envelope<T> = {
    success: true,
    code: status,
    message,
    ...(data !== undefined ? { data } : {}),
    ...(meta !== undefined ? { meta } : {}),
    timestamp: new Date().toISOString(),
  };
  return c.json(body, status);
}

export function errorEnvelope(status: number, message: string, error: ErrorDetail): Envelope {
  return { success: false, code: status, message, error, timestamp: new Date().toISOString() };
}

/** Short summaries used as the top-level `message` of error envelopes. */
export const statusMessages: Record<number, string> = {
  400: 'Request parameter error',
  401: 'Authentication failed',
  403: 'Insufficient permissions',
  404: 'Resource not found',
  405: 'Method not allowed',
  409: 'Resource conflict',
  413: 'Payload too large',
  416: 'Range not satisfiable',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};
