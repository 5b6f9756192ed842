// The page a share link's recipient opens: the video in a player, with Open Graph tags so chat apps
// and social sites show a preview. It needs no account and no JavaScript from other hosts.
import { Hono } from 'hono';
import type { AppEnv, Deps } from '../env.js';
import { AppError } from '../lib/errors.js';
import { publicBaseUrl } from '../lib/urls.js';
import { HLS_SCRIPT, HLS_VERSION } from '../generated/hls-script.js';
import { findPlayableShare, parseShareToken, shareUrl } from '../services/shares.js';

// Uses hls.js wherever Media Source Extensions exist, and the browser's own HLS support otherwise
// (Safari on iOS). Served as a file rather than inline so the page's CSP can forbid inline scripts.
const PLAYER_SCRIPT = `(function () {
  var video = document.getElementById('player');
  var message = document.getElementById('player-error');
  var source = video.getAttribute('data-src');
  function fail(text) {
    message.textContent = text;
    message.hidden = false;
  }
  if (window.Hls && window.Hls.isSupported()) {
    var hls = new window.Hls();
    hls.on(window.Hls.Events.ERROR, function (event, data) {
      if (data.fatal) fail('The video could not be played (' + data.details + ').');
    });
    hls.loadSource(source);
    hls.attachMedia(video);
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    video.src = source;
  } else {
    fail('This browser cannot play HLS video.');
  }
})();
`;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string) {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char]);
}

function formatDuration(seconds: number) {
  const total = Math.round(seconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

const STYLE = `body{margin:0;font-family:system-ui,sans-serif;background:#111;color:#eee}
main{max-width:960px;margin:0 auto;padding:24px}h1{font-size:1.4rem;margin:0 0 16px;overflow-wrap:anywhere}
video{width:100%;background:#000;aspect-ratio:16/9}.meta{color:#aaa}#player-error{color:#f88}`;

interface PageParts {
  title: string;
  head: string;
  body: string;
}

function renderPage({ title, head, body }: PageParts) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
${head}
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/**
 * Allows scripts from this origin only. Media and playlists may come from BASE_URL when it names another
 * host, and hls.js feeds the <video> element through blob: URLs and runs its transmuxer in a blob: worker.
 */
function contentSecurityPolicy(baseUrl: string) {
  const sources = `'self' ${new URL(baseUrl).origin}`;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'unsafe-inline'",
    // data: covers the empty favicon, which saves every visit a request that would end in 404.
    `img-src ${sources} data:`,
    `media-src ${sources} blob:`,
    `connect-src ${sources}`,
    'worker-src blob:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function notFoundPage() {
  return renderPage({
    title: 'Video not available',
    head: '',
    body: '<h1>Video not available</h1>\n<p class="meta">This sharing link is invalid, or its owner has disabled or deleted it.</p>',
  });
}

export function sharePageRoutes(deps: Deps) {
  const router = new Hono<AppEnv>();

  router.get('/share/:token', async (c) => {
    c.header('Cache-Control', 'no-cache');
    let found;
    try {
      found = await findPlayableShare(deps, parseShareToken(c.req.param('token')));
    } catch (error) {
      // People open this URL, so a bad link gets a page rather than the API's JSON error.
      if (error instanceof AppError && (error.status === 400 || error.status === 404)) return c.html(notFoundPage(), 404);
      throw error;
    }

    const { share, video } = found;
    const baseUrl = publicBaseUrl(c, deps);
    const playlistUrl = escapeHtml(shareUrl(baseUrl, share.accessToken));
    const title = escapeHtml(video.title);
    const thumbnailUrl = video.thumbnailKey ? escapeHtml(`${baseUrl}/${video.thumbnailKey}`) : null;
    const duration = video.duration ?? null;

    const head = [
      '<meta property="og:type" content="video.other">',
      `<meta property="og:title" content="${title}">`,
      `<meta property="og:url" content="${escapeHtml(`${baseUrl}/share/${share.accessToken}`)}">`,
      `<meta property="og:video" content="${playlistUrl}">`,
      '<meta property="og:video:type" content="application/vnd.apple.mpegurl">',
      ...(thumbnailUrl ? [`<meta property="og:image" content="${thumbnailUrl}">`] : []),
      ...(duration !== null ? [`<meta property="video:duration" content="${Math.round(duration)}">`] : []),
    ].join('\n');
    const body = [
      `<h1>${title}</h1>`,
      `<video id="player" controls playsinline preload="metadata" data-src="${playlistUrl}"${thumbnailUrl ? ` poster="${thumbnailUrl}"` : ''}></video>`,
      ...(duration !== null ? [`<p class="meta">Duration ${formatDuration(duration)}</p>`] : []),
      '<p id="player-error" hidden></p>',
      `<script src="/share-assets/hls.min.js?v=${HLS_VERSION}"></script>`,
      '<script src="/share-assets/player.js"></script>',
    ].join('\n');

    c.header('Content-Security-Policy', contentSecurityPolicy(baseUrl));
    return c.html(renderPage({ title: video.title, head, body }));
  });

  // The share page requests ?v=<hls.js version>, whose content never changes, so it may be cached for a
  // year. Other pages that embed the player may use the bare URL, which is cached briefly.
  router.get('/share-assets/hls.min.js', (c) => {
    const versioned = c.req.query('v') === HLS_VERSION;
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', versioned ? 'public, max-age=31536000, immutable' : 'public, max-age=3600');
    c.header('Access-Control-Allow-Origin', '*');
    return c.body(HLS_SCRIPT);
  });

  // Short cache: the URL carries no version, and the script may change with any release.
  router.get('/share-assets/player.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=3600');
    return c.body(PLAYER_SCRIPT);
  });

  return router;
}
