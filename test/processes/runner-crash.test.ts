// A transcoder process killed in the middle of a job (SIGKILL, no chance to clean up): its lease
// expires, the job goes back to the queue with one retry counted, and another runner finishes it.
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
const logDir = mkdtempSync(path.join(tmpdir(), 'hlsmith-runner-crash-'));

beforeAll(async () => {
  server = await startNodeServer({ settings: { JOB_LEASE_SECONDS: '4', JOB_RETRY_BASE_SECONDS: '1' } });
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

describe('a runner killed mid-job', () => {
  it('leaves its job to another runner, which completes it', async () => {
    const user = await registerUser({ baseUrl: server.url });
    const doomed = runner('doomed');
    const uploaded = await uploadFile(user, path.join(MEDIA_DIR, 'camera-640x360-17s.mp4'), 'Survives a crash', undefined, server.url);
    expect(uploaded.status, uploaded.text).toBe(201);
    const videoId = uploaded.body.data.id;

    // Kill the runner once it has reported progress, so the transcode is really under way.
    let progress = 0;
    for (let waited = 0; progress === 0 && waited < 120_000; waited += 200) {
      const res = await api(`/api/videos/${videoId}`, { headers: authHeader(user.token), baseUrl: server.url });
      progress = res.body.data.conversion_progress;
      if (progress === 0) await sleep(200);
    }
    expect(progress, 'the first runner never reported progress').toBeGreaterThan(0);
    await doomed.kill();

    runner('rescuer');
    const video = await waitForConversion(user, videoId, 300_000, server.url);

    expect(video.status, video.error_message).toBe('completed');
    const job = await api(`/api/queue/video/${videoId}`, { headers: authHeader(user.token), baseUrl: server.url });
    expect(job.body.data.status).toBe('completed');
    expect(job.body.data.retryCount).toBe(1);
    const playlist = await fetch(video.playback_url);
    expect(playlist.status).toBe(200);
  });

});
