import { Hono } from 'hono';
import type { AppEnv, Deps } from '../env.js';
import { publicBaseUrl } from '../lib/urls.js';
import { buildOpenApiDocument } from '../openapi/document.js';
import { docsPage } from './docs-page.js';

export function docsRoutes(deps: Deps) {
  const router = new Hono<AppEnv>();

  router.get('/openapi.json', (c) => c.json(buildOpenApiDocument(publicBaseUrl(c, deps))));

  router.get('/docs', (c) => {
    c.header('Cache-Control', 'no-cache');
    return c.html(docsPage);
  });

  return router;
}
