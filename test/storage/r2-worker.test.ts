// Runs R2ObjectStore inside workerd, where FixedLengthStream exists. Through the Node binding proxy that
// global is missing, so the contract suite only reaches the buffered fallback for streamed bodies.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { sha256OfStream } from './contract';

const MIB = 1024 * 1024;

/** Byte `index` of the bodies that the worker generates. The test recomputes it to check the stored bytes. */
const patternSource = 'function patternByte(index) { return (index * 31 + (index >> 8)) & 0xff; }';
const patternByte = (index: number) => (index * 31 + (index >> 8)) & 0xff;

const workerSource = `
import { R2ObjectStore } from './r2-store';
${patternSource}

// A stream that does not expose its length, like a body produced by a transform.
function generated(size) {
  let produced = 0;
  return new ReadableStream({
    pull(controller) {
      if (produced >= size) return controller.close();
      const chunk = new Uint8Array(Math.min(64 * 1024, size - produced));
      for (let i = 0; i < chunk.length; i++) chunk[i] = patternByte(produced + i);
      produced += chunk.length;
      controller.enqueue(chunk);
    },
  });
}

export default {
  async fetch(request, env) {
    const store = new R2ObjectStore(env.BUCKET);
    const url = new URL(request.url);
    const key = url.searchParams.get('key');
    const size = Number(url.searchParams.get('size'));
    const declared = url.searchParams.has('length') ? Number(url.searchParams.get('length')) : undefined;
    try {
      if (url.pathname === '/put') {
        const info = await store.put(key, generated(size), { length: declared, contentType: 'video/mp4' });
        return Response.json({ ok: true, size: info.size, fixedLengthStream: typeof FixedLengthStream });
      }
      if (url.pathname === '/part') {
        const uploadId = await store.createMultipartUpload(key);
        const part = await store.uploadPart(key, uploadId, 1, generated(size), declared);
        const info = await store.completeMultipartUpload(key, uploadId, [part]);
        return Response.json({ ok: true, size: info.size });
      }
      return new Response('not found', { status: 404 });
    } catch (error) {
      return Response.json({ ok: false, error: String(error) });
    }
  },
};
`;

/** Transpiles the store's modules to JavaScript, because workerd cannot load TypeScript. */
async function storeModules() {
  const names = ['r2-store', 'shared', 'types'];
  return Promise.all(
    names.map(async (name) => {
      const path = fileURLToPath(new URL(`../../src/storage/${name}.ts`, import.meta.url));
      const source = await readFile(path, 'utf8');
      const { outputText } = ts.transpileModule(source, {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      });
      return { type: 'ESModule' as const, path: `storage/${name}`, contents: outputText };
    }),
  );
}

async function expectedSha256(size: number): Promise<string> {
  const hash = createHash('sha256');
  const chunk = new Uint8Array(64 * 1024);
  for (let start = 0; start < size; start += chunk.length) {
    const length = Math.min(chunk.length, size - start);
    for (let i = 0; i < length; i++) chunk[i] = patternByte(start + i);
    hash.update(chunk.subarray(0, length));
  }
  return hash.digest('hex');
}

describe('R2ObjectStore inside workerd', () => {
  let mf: Miniflare;

  beforeAll(async () => {
    mf = new Miniflare({
      modules: [{ type: 'ESModule', path: 'storage/worker', contents: workerSource }, ...(await storeModules())],
      r2Buckets: ['BUCKET'],
      r2Persist: false,
      compatibilityDate: '2025-01-01',
    });
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  async function call(path: string, params: Record<string, string | number>) {
    const query = new URLSearchParams(Object.entries(params).map(([name, value]) => [name, String(value)]));
    const response = await mf.dispatchFetch(`http://localhost${path}?${query}`);
    return (await response.json()) as { ok: boolean; size?: number; error?: string; fixedLengthStream?: string };
  }

  async function storedSha256(key: string) {
    const bucket = await mf.getR2Bucket('BUCKET');
    const object = await bucket.get(key);
    return sha256OfStream(object!.body as unknown as ReadableStream<Uint8Array>);
  }

  it('puts a stream of declared length through FixedLengthStream', async () => {
    const size = 12 * MIB + 5;
    const result = await call('/put', { key: 'worker/declared.bin', size, length: size });
    expect(result).toEqual({ ok: true, size, fixedLengthStream: 'function' });

    const stored = await storedSha256('worker/declared.bin');
    expect(stored.size).toBe(size);
    expect(stored.sha256).toBe(await expectedSha256(size));
  });

  it('puts a stream of unknown length as buffered parts', async () => {
    const size = 17 * MIB + 3;
    const result = await call('/put', { key: 'worker/unknown.bin', size });
    expect(result).toMatchObject({ ok: true, size });

    const stored = await storedSha256('worker/unknown.bin');
    expect(stored.sha256).toBe(await expectedSha256(size));
  });

  it('rejects a stream shorter than its declared length', async () => {
    const result = await call('/put', { key: 'worker/short.bin', size: 1000, length: 2000 });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/FixedLengthStream/);
    const bucket = await mf.getR2Bucket('BUCKET');
    expect(await bucket.head('worker/short.bin')).toBeNull();
  });

  it('uploads a streamed part of declared length', async () => {
    const size = 6 * MIB;
    const result = await call('/part', { key: 'worker/part.bin', size, length: size });
    expect(result).toEqual({ ok: true, size });
    expect((await storedSha256('worker/part.bin')).sha256).toBe(await expectedSha256(size));
  });
});
