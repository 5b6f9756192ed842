import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ErrorType =
  | 'VALIDATION_ERROR'
  | 'AUTHENTICATION_ERROR'
  | 'AUTHORIZATION_ERROR'
  | 'NOT_FOUND_ERROR'
  | 'CONFLICT_ERROR'
  | 'BUSINESS_ERROR'
  | 'RATE_LIMIT_ERROR'
  | 'PAYLOAD_TOO_LARGE_ERROR'
  | 'INTERNAL_ERROR';

export type ErrorCode =
  | 'INVALID_PARAMS'
  | 'MISSING_REQUIRED_FIELDS'
  | 'INVALID_CREDENTIALS'
  | 'ACCESS_DENIED'
  | 'RESOURCE_NOT_FOUND'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'VIDEO_ALREADY_PROCESSING'
  | 'VIDEO_NOT_READY'
  | 'QUEUE_FULL'
  | 'FILE_OPERATION_ERROR'
  | 'TOO_MANY_ATTEMPTS'
  | 'PAYLOAD_TOO_LARGE'
  | 'LEASE_LOST'
  | 'INTERNAL_ERROR';

/** An error that the error handler turns into the spec's envelope with its status, type and code. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly type: ErrorType,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const invalidParams = (message: string, fields: string[], extra?: Record<string, unknown>) =>
  new AppError(400, 'VALIDATION_ERROR', 'INVALID_PARAMS', message, { fields, ...extra });

export const missingFields = (message: string, fields: string[]) =>
  new AppError(400, 'VALIDATION_ERROR', 'MISSING_REQUIRED_FIELDS', message, { fields });

export const notFound = (message: string) =>
  new AppError(404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND', message);

export const unauthenticated = (message = 'Authentication required: send Authorization: Bearer <token>') =>
  new AppError(401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS', message);

export const forbidden = (message: string) =>
  new AppError(403, 'AUTHORIZATION_ERROR', 'ACCESS_DENIED', message);

export const conflict = (message: string, details?: Record<string, unknown>) =>
  new AppError(409, 'CONFLICT_ERROR', 'RESOURCE_ALREADY_EXISTS', message, details);

export const methodNotAllowed = (method: string, path: string, allowed: string[]) =>
  new AppError(405, 'VALIDATION_ERROR', 'INVALID_PARAMS', `${method} is not allowed on ${path}; use ${allowed.join(', ')}`, undefined, {
    Allow: allowed.join(', '),
  });

export const businessError = (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
  new AppError(400, 'BUSINESS_ERROR', code, message, details);

/**
 * Builds a 413. Unless the caller has read the refused body to its end, the response carries Connection: close,
 * because a client that kept the connection alive would send its next request into a socket that
 * still contains unread body bytes.
 */
export const payloadTooLarge = (limitBytes: number, bodyConsumed = false) =>
  new AppError(
    413,
    'PAYLOAD_TOO_LARGE_ERROR',
    'PAYLOAD_TOO_LARGE',
    `Request body exceeds the limit of ${limitBytes} bytes`,
    { limit_bytes: limitBytes },
    bodyConsumed ? undefined : { Connection: 'close' },
  );
