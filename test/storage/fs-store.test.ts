import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { FsObjectStore } from '../../src/storage/fs-store';
import { InvalidKeyError } from '../../src/storage/index';
import { runObjectStoreContract } from './contract';

async function makeFsStore() {
  const rootDir = await mkdtemp(join(tmpdir(), 'hlsmith-fs-store-'));
  return { store: new FsObjectStore(rootDir), rootDir, cleanup: () => rm(rootDir, { recursive: true, force: true }) };
}

runObjectStoreContract('FsObjectStore', makeFsStore);

describe('FsObjectStore keys and layout', () => {
  let fixture: Awaited<ReturnType<typeof makeFsStore>>;

  beforeAll(async () => {
    fixture = await makeFsStore();
  });
  afterAll(async () => {
    await fixture.cleanup();
  });

  const invalidKeys = [
    '',
    '/etc/passwd',
    'C:/windows',
    '..',
    '../outside',
    'a/../../outside',
    'a/./b',
    'a//b',
    'a/',
    'a\\b',
    'a\0b',
    '.hlsmith/meta/x',
  ];

  for (const key of invalidKeys) {
    it(`rejects key ${JSON.stringify(key)}`, async () => {
      const { store } = fixture;
      await expect(store.put(key, 'x')).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.get(key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.head(key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidKeyError);
      await expect(store.createMultipartUpload(key)).rejects.toBeInstanceOf(InvalidKeyError);
    });
  }

  it('rejects a prefix that escapes the root', async () => {
    await expect(fixture.store.list('../')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(fixture.store.list('/tmp/')).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('stores keys as files under the root', async () => {
    await fixture.store.put('videos/v1/index.m3u8', '#EXTM3U\n');
    expect(await readdir(join(fixture.rootDir, 'videos', 'v1'))).toEqual(['index.m3u8']);
  });

  it('keeps internal files out of list', async () => {
    const uploadId = await fixture.store.createMultipartUpload('layout/pending.bin');
    await fixture.store.uploadPart('layout/pending.bin', uploadId, 1, 'part');
    const keys = (await fixture.store.list('')).objects.map((object) => object.key);
    expect(keys.filter((key) => key.startsWith('.hlsmith'))).toEqual([]);
  });

  it('prunes empty folders after delete', async () => {
    await fixture.store.put('prune/a/b/c.ts', 'c');
    await fixture.store.delete('prune/a/b/c.ts');
    expect(await readdir(fixture.rootDir)).not.toContain('prune');
  });

  it('rejects a key nested under an existing key', async () => {
    await fixture.store.put('nested/file', 'x');
    await expect(fixture.store.put('nested/file/child', 'y')).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(fixture.store.put('nested', 'z')).rejects.toBeInstanceOf(InvalidKeyError);
  });

  it('serves a file copied in by hand', async () => {
    await writeFile(join(fixture.rootDir, 'manual.txt'), 'by hand');
    const head = await fixture.store.head('manual.txt');
    expect(head!.size).toBe(7);
    expect(head!.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(head!.contentType).toBeUndefined();
    expect((await fixture.store.head('manual.txt'))!.etag).toBe(head!.etag);
  });

  it('rejects a part with a wrong etag', async () => {
    const uploadId = await fixture.store.createMultipartUpload('layout/etag.bin');
    const part = await fixture.store.uploadPart('layout/etag.bin', uploadId, 1, 'data');
    await expect(
      fixture.store.completeMultipartUpload('layout/etag.bin', uploadId, [{ ...part, etag: '0'.repeat(32) }]),
    ).rejects.toThrow(/etag/);
  });

  it('rejects an upload id of another key', async () => {
    const uploadId = await fixture.store.createMultipartUpload('layout/owner.bin');
    await expect(fixture.store.uploadPart('layout/other.bin', uploadId, 1, 'x')).rejects.toThrow(/belongs to key/);
    await expect(fixture.store.abortMultipartUpload('layout/owner.bin', '../../escape')).rejects.toThrow(/not found/);
  });
});
