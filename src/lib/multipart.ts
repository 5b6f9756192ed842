// A streaming multipart/form-data reader. The parsers on npm that run on both Node and Workers keep each
// part's bytes in memory, which a 2 GB video cannot afford. This one hands each part's body out as a stream.

import { invalidParams } from './errors.js';

export interface MultipartPart {
  /** Form field name from Content-Disposition. */
  name: string;
  /** Client-supplied filename, present for file fields; kept for display only. */
  filename?: string;
  contentType?: string;
  /** The part's bytes. It must be read to the end (or cancelled) before the next part is requested. */
  body: ReadableStream<Uint8Array>;
}

const CRLF = new Uint8Array([13, 10]);
const HEADER_END = new Uint8Array([13, 10, 13, 10]);
const MAX_HEADER_BYTES = 16 * 1024;

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from = 0) {
  const first = needle[0];
  const last = haystack.length - needle.length;
  for (let i = haystack.indexOf(first, from); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let matched = true;
    for (let j = 1; j < needle.length; j++) {
      if (haystack[i + j] !== needle[j]) {
        matched = false;
        break;
      }
    }
    if (matched) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a, 0);
  joined.set(b, a.length);
  return joined;
}

/** Extracts the boundary from a multipart/form-data Content-Type, or throws a 400 AppError. */
export function multipartBoundary(contentType: string | undefined) {
  if (!contentType || !/^multipart\/form-data/i.test(contentType)) {
    throw invalidParams('Content-Type must be multipart/form-data', ['content-type']);
  }
  const match = /boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  const boundary = match?.[1] ?? match?.[2];
  if (!boundary) throw invalidParams('multipart/form-data request has no boundary', ['content-type']);
  return boundary;
}

function parseHeaders(block: string) {
  const headers = new Map<string, string>();
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function dispositionParameter(disposition: string, key: string) {
  // filename* (RFC 5987) wins over filename, as browsers send both for non-ASCII names.
  const extended = new RegExp(`;\\s*${key}\\*=(?:UTF-8|utf-8)''([^;]*)`).exec(disposition);
  if (extended) {
    try {
      return decodeURIComponent(extended[1]);
    } catch {
      // fall through to the plain parameter
    }
  }
  const quoted = new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`).exec(disposition);
  if (quoted) return quoted[1].replace(/\\(.)/g, '$1');
  const bare = new RegExp(`;\\s*${key}=([^;\\s]*)`).exec(disposition);
  return bare?.[1];
}

function malformed(reason: string) {
  return invalidParams(`Malformed multipart body: ${reason}`, ['body']);
}

/** Reads the parts of a multipart body one at a time, streaming each part's content. */
export async function* readMultipart(stream: ReadableStream<Uint8Array>, boundary: string): AsyncGenerator<MultipartPart> {
  const reader = stream.getReader();
  try {
    yield* readParts(reader, boundary);
  } finally {
    await discardRest(reader);
  }
}

/** Bytes read and dropped after the body is no longer wanted, before the rest is cancelled. */
const MAX_DISCARD_BYTES = 16 * 1024 * 1024;

/**
 * Reads out what remains of the body (after the closing boundary, or when the consumer stopped early on an
 * invalid field or a size limit). Under wrangler dev, workerd resets the connection when a response goes
 * out while a locked request body is still arriving, so the client never sees the error response.
 * NOTE: more than MAX_DISCARD_BYTES left over is cancelled, which can still end in such a reset.
 */
async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>) {
  try {
    for (let left = MAX_DISCARD_BYTES; left > 0; ) {
      const { value, done } = await reader.read();
      if (done) return;
      left -= value.length;
    }
    await reader.cancel();
  } catch {
    // The client went away; there is nothing left to discard.
  }
}

async function* readParts(reader: ReadableStreamDefaultReader<Uint8Array>, boundary: string): AsyncGenerator<MultipartPart> {
  const encoder = new TextEncoder();
  const delimiter = encoder.encode(`\r\n--${boundary}`);
  let buffer: Uint8Array = new Uint8Array(0);
  let done = false;

  async function fill() {
    if (done) return false;
    const { value, done: finished } = await reader.read();
    if (finished) {
      done = true;
      return false;
    }
    buffer = concat(buffer, value);
    return true;
  }

  // The first boundary may open the body without a leading CRLF, so search for it with one prepended.
  buffer = concat(CRLF, buffer);
  for (;;) {
    const at = indexOfBytes(buffer, delimiter);
    if (at !== -1) {
      buffer = buffer.subarray(at + delimiter.length);
      break;
    }
    if (buffer.length > MAX_HEADER_BYTES) throw malformed('no opening boundary');
    if (!(await fill())) throw malformed('no opening boundary');
  }

  for (;;) {
    while (buffer.length < 2) if (!(await fill())) throw malformed('body ended inside a boundary');
    if (buffer[0] === 45 && buffer[1] === 45) return; // "--" closes the body
    if (buffer[0] !== 13 || buffer[1] !== 10) throw malformed('boundary not followed by a line break');
    buffer = buffer.subarray(2);

    let headerEnd: number;
    while ((headerEnd = indexOfBytes(buffer, HEADER_END)) === -1) {
      if (buffer.length > MAX_HEADER_BYTES) throw malformed('part headers too large');
      if (!(await fill())) throw malformed('body ended inside part headers');
    }
    const headers = parseHeaders(new TextDecoder().decode(buffer.subarray(0, headerEnd)));
    buffer = buffer.subarray(headerEnd + HEADER_END.length);

    const disposition = headers.get('content-disposition') ?? '';
    const name = dispositionParameter(disposition, 'name');
    if (!name) throw malformed('a part has no field name');

    let partFinished = false;
    let failure: unknown;
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            for (;;) {
              const at = indexOfBytes(buffer, delimiter);
              if (at !== -1) {
                if (at > 0) controller.enqueue(buffer.slice(0, at));
                buffer = buffer.subarray(at + delimiter.length);
                partFinished = true;
                controller.close();
                return;
              }
              // Everything except a tail that could be the start of the delimiter is part content.
              const safe = buffer.length - (delimiter.length - 1);
              if (safe > 0) {
                controller.enqueue(buffer.slice(0, safe));
                buffer = buffer.subarray(safe);
                return;
              }
              if (!(await fill())) throw malformed('body ended before the closing boundary');
            }
          } catch (error) {
            failure = error;
            controller.error(error);
          }
        },
        cancel() {
          partFinished = false;
        },
      },
      { highWaterMark: 0 },
    );

    yield { name, filename: dispositionParameter(disposition, 'filename'), contentType: headers.get('content-type'), body };

    if (failure) throw failure;
    if (!partFinished) {
      // The consumer skipped this part: read past its content to reach the next boundary.
      const skipper = body.locked ? null : body.getReader();
      if (skipper) {
        while (!(await skipper.read()).done) {
          /* discard */
        }
      }
      if (failure) throw failure;
      if (!partFinished) throw malformed('a part was abandoned before its end');
    }
  }
}

/** Reads a small text field, rejecting values longer than `maxBytes`. */
export async function readTextField(body: ReadableStream<Uint8Array>, field: string, maxBytes: number) {
  const reader = body.getReader();
  let bytes: Uint8Array = new Uint8Array(0);
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    bytes = concat(bytes, value);
    if (bytes.length > maxBytes) {
      await reader.cancel();
      throw invalidParams(`${field} is longer than ${maxBytes} bytes`, [field]);
    }
  }
  return new TextDecoder().decode(bytes);
}
