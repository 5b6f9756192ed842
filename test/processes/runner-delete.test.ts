// A video deleted while a runner converts it: the runner's next call gets 404, and it must drop the
// job and keep working. The default 60 s lease makes heartbeats rare (every 5 s), so the 404 usually
// reaches a segment upload first, the path that once ended the runner process.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { api, authHeader, registerUser } from '../helpers/api.js';
import { uploadFile, waitForConversion, waitForProgress } from '../helpers/e2e.js';
import { MEDIA_DIR } from '../helpers/runner.js';
import { useServerWithRunners } from '../helpers/runner-server.js';

const server = useServerWithRunners();

describe('a video deleted mid-job', () => {
  it('keeps the runner working', async () => {
    const baseUrl = server.url();
    const user = await registerUser({ baseUrl });
    const survivor = server.runner('survivor');
    const long = await uploadFile(user, path.join(MEDIA_DIR, 'tears-of-steel-70s.webm'), 'Deleted while converting', undefined, baseUrl);
    expect(long.status, long.text).toBe(201);
    const videoId = long.body.data.id;

    const progress = await waitForProgress(user, videoId, 10, 180_000, baseUrl);
    expect(progress, 'the conversion never got under way').toBeGreaterThanOrEqual(10);
    const deleted = await api(`/api/videos/${videoId}`, { method: 'DELETE', headers: authHeader(user.token), baseUrl });
    expect(deleted.status).toBe(200);

    const next = await uploadFile(user, path.join(MEDIA_DIR, 'bear-vp9-161x121.webm'), 'After the delete', undefined, baseUrl);
    const video = await waitForConversion(user, next.body.data.id, 300_000, baseUrl);

    expect(video.status, video.error_message).toBe('completed');
    expect(survivor.alive(), `the runner exited; see ${survivor.logFile}`).toBe(true);
  });
});
