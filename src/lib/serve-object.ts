import type { Context } from 'hono';
import type { Deps } from '../env.js';
import type { ByteRange } from '../storage/types.js';
import { RangeNotSatisfiableError } from '../storage/types.js';
import { AppError, notFound } from './errors.js';

export interface ServeOptions {
  contentType: string;
  cacheControl: string;
  contentDisposition?: string;
  /** Message of the 404 when the object is missing. */
  missingMessage: string;
  /** Status returned when the object is missing. The download endpoint uses 500, as the API contract specifies. */
  missingStatus?: 404 | 500;
}

/**
 * Parses a single-range `Range: bytes=...` header. Returns undefined for no header, a multi-range
 * request or a syntax it does not know, because RFC 9110 lets a server ignore such headers and send 200.
 */
export function parseRange(header: string | undefined): ByteRange | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, start, end] = match;
  if (start === '' && end === '') return undefined;
  if (start === '') return { suffix: Number(end) };
  const offset = Number(start);
  if (end === '') return { offset };
  if (Number(end) < offset) return undefined;
  return { offset, length: Number(end) - offset + 1 };
}

function etagMatches(header: string | undefined, etag: string) {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

/** Streams a stored object with Range (206/416), HEAD, ETag and If-None-Match (304) support. */
export async function serveObject(c: Context, deps: Deps, key: string, options: ServeOptions) {
  const info = await deps.store.head(key);
  if (!info) {
    if (options.missingStatus === 500) throw new AppError(500, 'INTERNAL_ERROR', 'FILE_OPERATION_ERROR', options.missingMessage);
    throw notFound(options.missingMessage);
  }

  const etag = `"${info.etag}"`;
  const headers = new Headers({
    'Content-Type': options.contentType,
    'Cache-Control': options.cacheControl,
    'Accept-Ranges': 'bytes',
    ETag: etag,
    'Last-Modified': info.uploaded.toUTCString(),
  });
  if (options.contentDisposition) headers.set('Content-Disposition', options.contentDisposition);

  if (etagMatches(c.req.header('If-None-Match'), etag)) return new Response(null, { status: 304, headers });

  const ifRange = c.req.header('If-Range');
  const range = ifRange && ifRange !== etag ? undefined : parseRange(c.req.header('Range'));
  if (range && 'offset' in range && range.offset >= info.size) throw new RangeNotSatisfiableError(info.size);
  if (range && 'suffix' in range && range.suffix === 0) throw new RangeNotSatisfiableError(info.size);

  if (c.req.method === 'HEAD') {
    headers.set('Content-Length', String(info.size));
    return new Response(null, { status: 200, headers });
  }

  const object = await deps.store.get(key, range ? { range } : undefined);
  if (!object) throw notFound(options.missingMessage);

  if (range) {
    // Computed from the request rather than taken from object.range, which R2 under workerd reports
    // with a `suffix: undefined` key that the R2 adapter reads as a suffix range (giving NaN).
    const { offset, length } = resolveRange(range, object.size);
    headers.set('Content-Range', `bytes ${offset}-${offset + length - 1}/${object.size}`);
    headers.set('Content-Length', String(length));
    return new Response(object.body, { status: 206, headers });
  }
  headers.set('Content-Length', String(object.size));
  return new Response(object.body, { status: 200, headers });
}

/** Resolves a satisfiable range to the offset and length it selects from an object of `size` bytes. */
function resolveRange(range: ByteRange, size: number) {
  if ('suffix' in range) {
    const length = Math.min(range.suffix, size);
    return { offset: size - length, length };
  }
  const length = range.length === undefined ? size - range.offset : Math.min(range.length, size - range.offset);
  return { offset: range.offset, length };
}

/** Builds an attachment Content-Disposition that survives any filename (RFC 6266 with RFC 5987 filename*). */
export function attachmentDisposition(filename: string) {
  const fallback = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_').replace(/[/]/g, '_') || 'download';
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (char) => '%' + char.charCodeAt(0).toString(16).toUpperCase());
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
