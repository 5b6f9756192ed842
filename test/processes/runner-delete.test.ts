// A video deleted while a runner converts it: the runner's next call gets 404, and it must drop the
// job and keep working. The default 60 s lease makes heartbeats rare (every 5 s), so the 404 usually
// reaches a segment upload first, the path that once ended the runner process.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, authHeader, registerUser } from '../helpers/api.js';
import { uploadFile, waitForConversion } from '../helpers/e2e.js';
import { MEDIA_DIR, sleep } from '../helpers/runner.js';
import { startNodeServer, type NodeServer } from '../setup/node-server.js';
import { RUNNER_REGISTRATION_TOKEN } from '../setup/settings.js';
import { startTranscoder, type RunnerProcess } from '../setup/transcoders.js';

let server: NodeServer;
const runners: RunnerProcess[] = [];
const logDir = mkdtempSync(path.join(tmpdir(), 'hlsmith-runner-delete-'));

beforeAll(async () => {
  server = await startNodeServer();
});

afterAll(async () => {
  await Promise.all(runners.map((runner) => runner.stop()));
  await server?.stop();
});

function runner(name: string) {
  const started = startTranscoder({ apiUrl: server.url, registrationToken: RUNNER_REGISTRATION_TOKEN, name, logDir });
  runners.push(started);
  return started;
}

describe('a video deleted mid-job', () => {
  it('keeps running when its video is deleted mid-job', async () => {
    const user = await registerUser({ baseUrl: server.url });
    const survivor = runner('survivor');
    const long = await uploadFile(user, path.join(MEDIA_DIR, 'tears-of-steel-70s.webm'), 'Deleted while converting', undefined, server.url);
    expect(long.status, long.text).toBe(201);
    const videoId = long.body.data.id;

    let progress = 0;
    for (let waited = 0; progress < 10 && waited < 180_000; waited += 200) {
      const res = await api(`/api/videos/${videoId}`, { headers: authHeader(user.token), baseUrl: server.url });
      progress = res.body.data.conversion_progress;
      if (progress < 10) await sleep(200);
    }
    expect(progress, 'the conversion never got under way').toBeGreaterThanOrEqual(10);
    const deleted = await api(`/api/videos/${videoId}`, { method: 'DELETE', headers: authHeader(user.token), baseUrl: server.url });
    expect(deleted.status).toBe(200);

    const next = await uploadFile(user, path.join(MEDIA_DIR, 'bear-vp9-161x121.webm'), 'After the delete', undefined, server.url);
    const video = await waitForConversion(user, next.body.data.id, 300_000, server.url);

    expect(video.status, video.error_message).toBe('completed');
    expect(survivor.alive(), `the runner exited; see ${survivor.logFile}`).toBe(true);
      });
});
