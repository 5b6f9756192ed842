// Behaviour that every ObjectStore must share, registered once per implementation.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { deletePrefix, streamToText } from '../../src/storage/index';
import { RangeNotSatisfiableError, type ObjectStore } from '../../src/storage/types';

export interface StoreFixture {
  store: ObjectStore;
  cleanup(): Promise<void>;
}

const MIB = 1024 * 1024;

/** Deterministic bytes generated chunk by chunk, so large bodies never exist whole in memory. */
export function generatedStream(size: number, seed = 1, chunkSize = 64 * 1024): { stream: ReadableStream<Uint8Array>; sha256: () => string } {
  const hash = createHash('sha256');
  let produced = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (produced >= size) {
        controller.close();
        return;
      }
      const chunk = new Uint8Array(Math.min(chunkSize, size - produced));
      for (let i = 0; i < chunk.length; i++) chunk[i] = (produced + i) * seed + (((produced + i) >> 10) & 0xff);
      produced += chunk.length;
      hash.update(chunk);
      controller.enqueue(chunk);
    },
  });
  return { stream, sha256: () => hash.digest('hex') };
}

export async function sha256OfStream(stream: ReadableStream<Uint8Array>): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { sha256: hash.digest('hex'), size };
}

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function patternBytes(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * seed) & 0xff;
  return bytes;
}

/** Creates a stream of the given chunks that does not tell its consumer the total length. */
function streamOf(...chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function keysOf(store: ObjectStore, prefix: string): Promise<string[]> {
  return (await store.list(prefix)).objects.map((object) => object.key);
}

export function runObjectStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`${name} contract`, () => {
    let fixture: StoreFixture;
    let store: ObjectStore;

    beforeAll(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.cleanup();
    });

    describe('put and get', () => {
      it('round-trips a string with its content type', async () => {
        const info = await store.put('text/hello.txt', 'hello, world', { contentType: 'text/plain' });
        expect(info.key).toBe('text/hello.txt');
        expect(info.size).toBe(12);
        expect(info.contentType).toBe('text/plain');
        expect(info.etag).toMatch(/^[^"]+$/);

        const object = await store.get('text/hello.txt');
        expect(object).not.toBeNull();
        expect(object!.size).toBe(12);
        expect(object!.etag).toBe(info.etag);
        expect(object!.contentType).toBe('text/plain');
        expect(object!.range).toBeUndefined();
        expect(await streamToText(object!.body)).toBe('hello, world');
      });

      it('round-trips bytes', async () => {
        const bytes = patternBytes(70_000, 7);
        const info = await store.put('bytes/pattern.bin', bytes);
        expect(info.size).toBe(bytes.byteLength);
        expect(info.contentType).toBeUndefined();

        const object = await store.get('bytes/pattern.bin');
        const read = await sha256OfStream(object!.body);
        expect(read.size).toBe(bytes.byteLength);
        expect(read.sha256).toBe(sha256(bytes));
      });

      it('round-trips an empty body', async () => {
        await store.put('bytes/empty', new Uint8Array(0));
        const object = await store.get('bytes/empty');
        expect(object!.size).toBe(0);
        expect((await sha256OfStream(object!.body)).size).toBe(0);
      });

      it('rejects any range on an empty object', async () => {
        await store.put('bytes/empty-ranged', '');
        await expect(store.get('bytes/empty-ranged', { range: { offset: 0 } })).rejects.toBeInstanceOf(RangeNotSatisfiableError);
        await expect(store.get('bytes/empty-ranged', { range: { suffix: 1 } })).rejects.toBeInstanceOf(RangeNotSatisfiableError);
      });

      it('round-trips a 20 MiB stream with a declared length', async () => {
        const size = 20 * MIB;
        const source = generatedStream(size, 3);
        const info = await store.put('big/declared.bin', source.stream, { length: size, contentType: 'video/mp4' });
        expect(info.size).toBe(size);
        expect(info.contentType).toBe('video/mp4');

        const object = await store.get('big/declared.bin');
        const read = await sha256OfStream(object!.body);
        expect(read.size).toBe(size);
        expect(read.sha256).toBe(source.sha256());
      });

      it('stores a large stream of unknown length', async () => {
        const size = 9 * MIB + 123;
        const source = generatedStream(size, 5);
        const info = await store.put('big/unknown.bin', source.stream, { contentType: 'video/mp2t' });
        expect(info.size).toBe(size);

        const head = await store.head('big/unknown.bin');
        expect(head!.size).toBe(size);
        expect(head!.contentType).toBe('video/mp2t');
        const read = await sha256OfStream((await store.get('big/unknown.bin'))!.body);
        expect(read.sha256).toBe(source.sha256());
      });

      it('stores a small stream of unknown length', async () => {
        await store.put('text/stream.txt', streamOf('abc', 'def', 'ghi'));
        expect(await streamToText((await store.get('text/stream.txt'))!.body)).toBe('abcdefghi');
      });

      it('rejects a stream shorter than its declared length', async () => {
        await expect(store.put('text/short.txt', streamOf('abc'), { length: 10 })).rejects.toThrow();
        expect(await store.head('text/short.txt')).toBeNull();
      });

      it('overwrite replaces content and metadata', async () => {
        const first = await store.put('text/overwrite.txt', 'first version', { contentType: 'text/plain' });
        const second = await store.put('text/overwrite.txt', 'second', { contentType: 'text/csv' });
        expect(second.etag).not.toBe(first.etag);

        const object = await store.get('text/overwrite.txt');
        expect(object!.size).toBe(6);
        expect(object!.contentType).toBe('text/csv');
        expect(object!.etag).toBe(second.etag);
        expect(await streamToText(object!.body)).toBe('second');
      });

      it('concurrent puts of one key leave one complete version', async () => {
        const versions = ['a'.repeat(300_000), 'b'.repeat(200_000), 'c'.repeat(100_000)];
        await Promise.all(versions.map((text) => store.put('text/race.txt', text)));

        const object = await store.get('text/race.txt');
        const text = await streamToText(object!.body);
        expect(versions).toContain(text);
        expect(object!.size).toBe(text.length);
        expect(object!.etag).toBe((await store.head('text/race.txt'))!.etag);
      });

      it('returns null for a missing key', async () => {
        expect(await store.get('missing/key')).toBeNull();
        expect(await store.get('missing/key', { range: { offset: 0, length: 1 } })).toBeNull();
        expect(await store.head('missing/key')).toBeNull();
      });
    });

    describe('head', () => {
      it('returns the metadata of put', async () => {
        const info = await store.put('head/object.m3u8', '#EXTM3U\n', { contentType: 'application/vnd.apple.mpegurl' });
        const head = await store.head('head/object.m3u8');
        expect(head).toEqual({
          key: 'head/object.m3u8',
          size: 8,
          etag: info.etag,
          uploaded: expect.any(Date),
          contentType: 'application/vnd.apple.mpegurl',
        });
      });

      it('keeps the etag stable while content is unchanged', async () => {
        await store.put('head/stable.txt', 'same');
        const first = await store.head('head/stable.txt');
        const second = await store.head('head/stable.txt');
        expect(second!.etag).toBe(first!.etag);
      });
    });

    describe('ranged get', () => {
      const text = '0123456789abcdefghij'; // 20 bytes

      beforeAll(async () => {
        await store.put('range/text.txt', text, { contentType: 'text/plain' });
      });

      async function rangedText(range: Parameters<ObjectStore['get']>[1]) {
        const object = await store.get('range/text.txt', range);
        return { object: object!, text: await streamToText(object!.body) };
      }

      it('returns offset and length', async () => {
        const { object, text: body } = await rangedText({ range: { offset: 3, length: 4 } });
        expect(body).toBe('3456');
        expect(object.range).toEqual({ offset: 3, length: 4 });
        expect(object.size).toBe(20);
        expect(object.contentType).toBe('text/plain');
      });

      it('returns the rest from an offset', async () => {
        const { object, text: body } = await rangedText({ range: { offset: 15 } });
        expect(body).toBe('fghij');
        expect(object.range).toEqual({ offset: 15, length: 5 });
      });

      it('returns a suffix', async () => {
        const { object, text: body } = await rangedText({ range: { suffix: 3 } });
        expect(body).toBe('hij');
        expect(object.range).toEqual({ offset: 17, length: 3 });
      });

      it('returns everything for a suffix longer than the object', async () => {
        const { object, text: body } = await rangedText({ range: { suffix: 50 } });
        expect(body).toBe(text);
        expect(object.range).toEqual({ offset: 0, length: 20 });
      });

      it('clips a length running past the end', async () => {
        const { object, text: body } = await rangedText({ range: { offset: 18, length: 10 } });
        expect(body).toBe('ij');
        expect(object.range).toEqual({ offset: 18, length: 2 });
      });

      it('returns the last byte', async () => {
        const { text: body } = await rangedText({ range: { offset: 19, length: 1 } });
        expect(body).toBe('j');
      });

      it('rejects an offset at the end', async () => {
        const error = await store.get('range/text.txt', { range: { offset: 20 } }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RangeNotSatisfiableError);
        expect((error as RangeNotSatisfiableError).size).toBe(20);
      });

      it('rejects an offset past the end', async () => {
        await expect(store.get('range/text.txt', { range: { offset: 100, length: 5 } })).rejects.toBeInstanceOf(RangeNotSatisfiableError);
      });

      it('rejects invalid range values', async () => {
        await expect(store.get('range/text.txt', { range: { offset: -1 } })).rejects.toBeInstanceOf(RangeError);
        await expect(store.get('range/text.txt', { range: { offset: 0, length: 0 } })).rejects.toBeInstanceOf(RangeError);
        await expect(store.get('range/text.txt', { range: { suffix: 0 } })).rejects.toBeInstanceOf(RangeError);
      });

      it('serves a range from the middle of a large object', async () => {
        const bytes = patternBytes(6 * MIB, 11);
        await store.put('range/large.bin', bytes);
        const offset = 5 * MIB - 7;
        const object = await store.get('range/large.bin', { range: { offset, length: 1000 } });
        const read = await sha256OfStream(object!.body);
        expect(read.size).toBe(1000);
        expect(read.sha256).toBe(sha256(bytes.subarray(offset, offset + 1000)));
      });
    });

    describe('delete', () => {
      it('deletes a single key', async () => {
        await store.put('delete/one', '1');
        await store.delete('delete/one');
        expect(await store.head('delete/one')).toBeNull();
      });

      it('deletes several keys and ignores missing ones', async () => {
        await store.put('delete/a', 'a');
        await store.put('delete/b', 'b');
        await store.put('delete/c', 'c');
        await store.delete(['delete/a', 'delete/c', 'delete/never-existed']);
        expect(await keysOf(store, 'delete/')).toEqual(['delete/b']);
      });

      it('ignores a missing key', async () => {
        await expect(store.delete('delete/missing')).resolves.toBeUndefined();
        await expect(store.delete([])).resolves.toBeUndefined();
      });
    });

    describe('list', () => {
      const keys = ['list/v1/e.ts', 'list/v1/a.ts', 'list/v1/c.ts', 'list/v1/b.ts', 'list/v1/d.ts'];

      beforeAll(async () => {
        for (const key of keys) await store.put(key, key, { contentType: 'video/mp2t' });
        await store.put('list/v10/a.ts', 'outside the v1/ prefix');
        await store.put('list/v1-extra', 'outside the v1/ prefix too');
      });

      it('pages through a prefix in key order', async () => {
        const pages: string[][] = [];
        let cursor: string | undefined;
        do {
          const page = await store.list('list/v1/', { cursor, limit: 2 });
          pages.push(page.objects.map((object) => object.key));
          cursor = page.cursor;
        } while (cursor !== undefined);

        expect(pages).toEqual([
          ['list/v1/a.ts', 'list/v1/b.ts'],
          ['list/v1/c.ts', 'list/v1/d.ts'],
          ['list/v1/e.ts'],
        ]);
      });

      it('returns metadata for each object', async () => {
        const { objects } = await store.list('list/v1/a');
        expect(objects).toHaveLength(1);
        expect(objects[0]).toMatchObject({ key: 'list/v1/a.ts', size: 12, contentType: 'video/mp2t' });
        expect(objects[0].etag).toBe((await store.head('list/v1/a.ts'))!.etag);
      });

      it('matches a prefix that ends inside a segment', async () => {
        // '-' sorts before '/', which sorts before '0'.
        expect(await keysOf(store, 'list/v1')).toEqual([
          'list/v1-extra',
          'list/v1/a.ts',
          'list/v1/b.ts',
          'list/v1/c.ts',
          'list/v1/d.ts',
          'list/v1/e.ts',
          'list/v10/a.ts',
        ]);
      });

      it('returns nothing for an unknown prefix', async () => {
        expect(await store.list('list/none/')).toEqual({ objects: [] });
      });
    });

    describe('multipart', () => {
      it('completes three parts into their concatenation', async () => {
        const partSizes = [5 * MIB, 5 * MIB, 1];
        const parts = partSizes.map((size, i) => patternBytes(size, i + 3));
        expect(partSizes[0]).toBeGreaterThanOrEqual(store.minPartSize);

        const uploadId = await store.createMultipartUpload('multipart/video.mp4', { contentType: 'video/mp4' });
        const uploaded = [];
        for (const [i, bytes] of parts.entries()) {
          uploaded.push(await store.uploadPart('multipart/video.mp4', uploadId, i + 1, bytes, bytes.byteLength));
        }
        expect(uploaded.map((part) => part.partNumber)).toEqual([1, 2, 3]);
        expect(await keysOf(store, 'multipart/')).toEqual([]);

        const info = await store.completeMultipartUpload('multipart/video.mp4', uploadId, uploaded);
        expect(info.size).toBe(10 * MIB + 1);
        expect(info.contentType).toBe('video/mp4');

        const expected = createHash('sha256');
        for (const bytes of parts) expected.update(bytes);
        const object = await store.get('multipart/video.mp4');
        expect(object!.contentType).toBe('video/mp4');
        const read = await sha256OfStream(object!.body);
        expect(read.size).toBe(10 * MIB + 1);
        expect(read.sha256).toBe(expected.digest('hex'));
      });

      it('accepts a part as a stream with a declared length', async () => {
        const uploadId = await store.createMultipartUpload('multipart/streamed.bin');
        const source = generatedStream(MIB, 9);
        const part = await store.uploadPart('multipart/streamed.bin', uploadId, 1, source.stream, MIB);
        await store.completeMultipartUpload('multipart/streamed.bin', uploadId, [part]);

        const read = await sha256OfStream((await store.get('multipart/streamed.bin'))!.body);
        expect(read.sha256).toBe(source.sha256());
      });

      it('abort leaves nothing listed', async () => {
        const uploadId = await store.createMultipartUpload('multipart/aborted.bin');
        await store.uploadPart('multipart/aborted.bin', uploadId, 1, patternBytes(1000, 1));
        await store.abortMultipartUpload('multipart/aborted.bin', uploadId);

        expect(await keysOf(store, 'multipart/aborted')).toEqual([]);
        expect(await store.head('multipart/aborted.bin')).toBeNull();
        await expect(store.completeMultipartUpload('multipart/aborted.bin', uploadId, [])).rejects.toThrow();
      });
    });

    describe('deletePrefix', () => {
      it('deletes everything under a prefix and counts it', async () => {
        await store.put('purge/v1/index.m3u8', '#EXTM3U\n');
        for (let i = 0; i < 4; i++) await store.put(`purge/v1/seg${i}.ts`, 'x'.repeat(100 + i));
        await store.put('purge/v2/keep.ts', 'keep');

        expect(await deletePrefix(store, 'purge/v1/')).toEqual({ count: 5, bytes: 8 + 100 + 101 + 102 + 103 });
        expect(await keysOf(store, 'purge/')).toEqual(['purge/v2/keep.ts']);
        expect(await deletePrefix(store, 'purge/v1/')).toEqual({ count: 0, bytes: 0 });
      });

      it('rejects an empty prefix', async () => {
        await expect(deletePrefix(store, '')).rejects.toThrow(/non-empty prefix/);
      });
    });
  });
}
