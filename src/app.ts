import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { AppEnv, Deps } from './env.js';
import { payloadTooLarge } from './lib/errors.js';
import { endpointMethods, handleError, handleNotFound } from './middleware/errors.js';
import { REQUEST_ID_HEADER, requestLog } from './middleware/request-log.js';
import { authRoutes } from './routes/auth.js';
import { docsRoutes } from './routes/docs.js';
import { hlsRoutes } from './routes/hls.js';
import { queueRoutes } from './routes/queue.js';
import { runnerRoutes } from './routes/runners.js';
import { shareRoutes, videoShareRoutes } from './routes/share.js';
import { sharePageRoutes } from './routes/share-page.js';
import { streamRoutes } from './routes/stream.js';
import { systemRoutes } from './routes/system.js';
import { thumbnailRoutes } from './routes/thumbnails.js';
import { uploadRoutes } from './routes/upload.js';
import { videoRoutes } from './routes/videos.js';

// Routes that take large binary bodies enforce their own, larger limits while streaming.
const STREAMED_BODY_PATHS = [/^\/api\/videos\/upload$/, /^\/api\/upload\/chunk$/, /^\/api\/runners\/jobs\/\d+\/files\//];

// Reading and discarding a refused body keeps the connection usable; beyond this size closing it is cheaper.
const MAX_DISCARDED_BYTES = 16 * 1024 * 1024;

/** Reads a refused body to its end when its declared length is small enough; returns whether it did. */
async function discardDeclaredBody(request: Request) {
  const declared = Number(request.headers.get('Content-Length') ?? NaN);
  if (!request.body || request.bodyUsed || request.body.locked || !(declared <= MAX_DISCARDED_BYTES)) return false;
  const reader = request.body.getReader();
  while (!(await reader.read()).done) {
    /* discard */
  }
  return true;
}

/** Builds the HTTP app from its dependencies; it never reads globals, so Node and Workers share it. */
export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>();

  app.use('*', requestLog(deps.logger));
  app.use(
    '/api/*',
    cors({
      origin: deps.config.CORS_ORIGINS.includes('*') ? '*' : deps.config.CORS_ORIGINS,
      allowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'Range', 'If-None-Match', REQUEST_ID_HEADER],
      exposeHeaders: ['Content-Length', 'Content-Range', 'Content-Disposition', 'Accept-Ranges', 'ETag', 'Retry-After', REQUEST_ID_HEADER],
      maxAge: 600,
    }),
  );
  const jsonLimit = bodyLimit({
    maxSize: deps.config.MAX_JSON_BYTES,
    onError: async (c) => {
      throw payloadTooLarge(deps.config.MAX_JSON_BYTES, await discardDeclaredBody(c.req.raw));
    },
  });
  app.use('/api/*', async (c, next) => {
    if (STREAMED_BODY_PATHS.some((pattern) => pattern.test(c.req.path))) return next();
    return jsonLimit(c, next);
  });

  app.route('/', systemRoutes(deps));
  app.route('/api', docsRoutes(deps));
  app.route('/api/auth', authRoutes(deps));
  // Ahead of the video router, whose router-wide requireUser would otherwise authenticate these
  // requests a second time.
  app.route('/api/videos', videoShareRoutes(deps));
  app.route('/api/videos', videoRoutes(deps));
  app.route('/api/hls', hlsRoutes(deps));
  app.route('/api/queue', queueRoutes(deps));
  app.route('/api/runners', runnerRoutes(deps));
  app.route('/api/upload', uploadRoutes(deps));
  app.route('/api/stream', streamRoutes(deps));
  app.route('/api/share', shareRoutes(deps));
  app.route('/', sharePageRoutes(deps));
  app.route('/', thumbnailRoutes(deps));

  app.notFound(handleNotFound(endpointMethods(app)));
  app.onError(handleError(deps.logger));
  return app;
}
