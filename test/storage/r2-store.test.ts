import type { R2Bucket } from '@cloudflare/workers-types';
import { Miniflare } from 'miniflare';

import { R2ObjectStore } from '../../src/storage/r2-store';
import { runObjectStoreContract } from './contract';

// Miniflare runs workerd's local R2 simulator, and getR2Bucket() returns a proxy that forwards each call from Node.
runObjectStoreContract('R2ObjectStore', async () => {
  const mf = new Miniflare({
    modules: true,
    script: 'export default { fetch() { return new Response("") } }',
    r2Buckets: ['BUCKET'],
    r2Persist: false,
    // A current date, so list() runs with the `include` semantics that deployed Workers get.
    compatibilityDate: '2025-01-01',
  });
  const bucket = (await mf.getR2Bucket('BUCKET')) as unknown as R2Bucket;
  return { store: new R2ObjectStore(bucket), cleanup: () => mf.dispose() };
});
