// A transcoder process killed in the middle of a job (SIGKILL, no chance to clean up): its lease
// expires, the job goes back to the queue with one retry counted, and another runner finishes it.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, authHeader, registerUser } from '../helpers/api.js';
import { uploadFile, waitForConversion, waitForProgress } from '../helpers/e2e.js';
import { MEDIA_DIR } from '../helpers/runner.js';
import { useServerWithRunners } from '../helpers/runner-server.js';

const server = useServerWithRunners({ JOB_LEASE_SECONDS: '4', JOB_RETRY_BASE_SECONDS: '1' });

describe('a runner killed mid-job', () => {
  it('leaves its job to another runner, which completes it', async () => {
    const baseUrl = server.url();
    const user = await registerUser({ baseUrl });
    const doomed = server.runner('doomed');
    const uploaded = await uploadFile(user, path.join(MEDIA_DIR, 'camera-640x360-17s.mp4'), 'Survives a crash', undefined, baseUrl);
    expect(uploaded.status, uploaded.text).toBe(201);
    const videoId = uploaded.body.data.id;

    // Kill the runner once it has reported progress, so the transcode is really under way.
    const progress = await waitForProgress(user, videoId, 1, 120_000, baseUrl);
    expect(progress, 'the first runner never reported progress').toBeGreaterThan(0);
    await doomed.kill();

    server.runner('rescuer');
    const video = await waitForConversion(user, videoId, 300_000, baseUrl);

    expect(video.status, video.error_message).toBe('completed');
    const job = await api(`/api/queue/video/${videoId}`, { headers: authHeader(user.token), baseUrl });
    expect(job.body.data.status).toBe('completed');
    expect(job.body.data.retryCount).toBe(1);
    const playlist = await fetch(video.playback_url);
    expect(playlist.status).toBe(200);
  });
});
