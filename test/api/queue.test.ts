import { describe, expect, it } from 'vitest';
import { api, authHeader, expectEnvelopeError, registerUser } from '../helpers/api.js';
import { adminToken, claimFor, putOutputs, registerRunner, release, sleep, uploadSample } from '../helpers/runner.js';

const PLAYLIST = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXTINF:1.0,\nsegment_000.ts\n#EXT-X-ENDLIST\n';

async function videoOf(token: string, id: number) {
  const res = await api(`/api/videos/${id}`, { headers: authHeader(token) });
  return res.body.data;
}

async function queueJobOf(token: string, id: number) {
  const res = await api(`/api/queue/video/${id}`, { headers: authHeader(token) });
  return res.body.data;
}

describe('runner registration', () => {
  it('rejects a wrong registration token with 401', async () => {
    const res = await api('/api/runners/register', { method: 'POST', json: { registrationToken: 'wrong-token-value', name: 'x' } });
    expectEnvelopeError(res, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });

  it('rejects runner calls without a runner token', async () => {
    const res = await api('/api/runners/jobs/claim', { method: 'POST', json: {} });
    expectEnvelopeError(res, 401, 'AUTHENTICATION_ERROR', 'INVALID_CREDENTIALS');
  });

  it('does not accept a user token as a runner token', async () => {
    const user = await registerUser();
    const res = await api('/api/runners/jobs/claim', { method: 'POST', json: {}, headers: authHeader(user.token) });
    expect(res.status).toBe(401);
  });
});

describe('job claim', () => {
  it('hands a pending job to exactly one of many concurrent claims', async () => {
    const { video, user } = await uploadSample();
    const runners = await Promise.all([1, 2, 3, 4].map((n) => registerRunner(`racer-${n}`)));

    const claims = await Promise.all(runners.flatMap((runner) => [claimFor(runner, video.id), claimFor(runner, video.id)]));

    const winners = claims.filter((job) => job !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.videoId).toBe(video.id);
    expect((await videoOf(user.token, video.id)).status).toBe('processing');
    expect((await queueJobOf(user.token, video.id)).status).toBe('processing');
    await release(runners[0], winners[0]!);
  });

  it('returns no job when the video has none pending', async () => {
    const runner = await registerRunner();
    expect(await claimFor(runner, 999_999_999)).toBeNull();
  });
});

describe('job lease', () => {
  it('renews the lease and records progress for the holder only', async () => {
    const { video, user } = await uploadSample();
    const runner = await registerRunner();
    const job = (await claimFor(runner, video.id))!;

    const renewed = await runner.call(`/api/runners/jobs/${job.id}/heartbeat`, { lease: job.leaseId, json: { progress: 40 } });
    const stale = await runner.call(`/api/runners/jobs/${job.id}/heartbeat`, { lease: crypto.randomUUID(), json: { progress: 90 } });

    expect(renewed.status).toBe(200);
    expectEnvelopeError(stale, 409, 'CONFLICT_ERROR', 'LEASE_LOST');
    expect((await videoOf(user.token, video.id)).conversion_progress).toBe(40);
    await release(runner, job);
  });

  it('requeues a job whose lease expired and counts a retry', async () => {
    const { video, user } = await uploadSample();
    const first = await registerRunner('dies');
    const second = await registerRunner('takes-over');
    const lost = (await claimFor(first, video.id, 2))!;

    await sleep(2500);
    const retaken = await claimFor(second, video.id);

    expect(retaken?.id).toBe(lost.id);
    expect(retaken?.leaseId).not.toBe(lost.leaseId);
    const job = await queueJobOf(user.token, video.id);
    expect(job.retryCount).toBe(1);
    expect(job.errorMessage).toMatch(/lease expired/);
    const late = await first.call(`/api/runners/jobs/${lost.id}/complete`, { lease: lost.leaseId, json: { duration: 1, segments: ['segment_000.ts'] } });
    expectEnvelopeError(late, 409, 'CONFLICT_ERROR', 'LEASE_LOST');
  });

  it('gives a released job back without counting a retry', async () => {
    const { video, user } = await uploadSample();
    const runner = await registerRunner();
    const job = (await claimFor(runner, video.id))!;

    const released = await runner.call(`/api/runners/jobs/${job.id}/release`, { lease: job.leaseId });

    expect(released.status).toBe(200);
    const queued = await queueJobOf(user.token, video.id);
    expect(queued.status).toBe('pending');
    expect(queued.retryCount).toBe(0);
    expect((await videoOf(user.token, video.id)).status).toBe('uploaded');
  });
});

describe('job completion', () => {
  it('refuses to complete before the outputs are uploaded', async () => {
    const { video } = await uploadSample();
    const runner = await registerRunner();
    const job = (await claimFor(runner, video.id))!;

    const res = await runner.call(`/api/runners/jobs/${job.id}/complete`, { lease: job.leaseId, json: { duration: 1, segments: ['segment_000.ts'] } });

    expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(res.body.error.details.missing).toEqual(['playlist.m3u8', 'segment_000.ts']);
    await release(runner, job);
  });

  it('completes once and answers a repeated completion the same way', async () => {
    const { video, user } = await uploadSample();
    const runner = await registerRunner();
    const job = (await claimFor(runner, video.id))!;
    await putOutputs(runner, job, { 'segment_000.ts': new Uint8Array(188).fill(0x47), 'playlist.m3u8': PLAYLIST });

    const body = { duration: 1.04, width: 160, height: 120, segments: ['segment_000.ts'] };
    const first = await runner.call(`/api/runners/jobs/${job.id}/complete`, { lease: job.leaseId, json: body });
    const again = await runner.call(`/api/runners/jobs/${job.id}/complete`, { lease: job.leaseId, json: body });

    expect(first.status).toBe(200);
    expect(again.status).toBe(200);
    const done = await videoOf(user.token, video.id);
    expect(done.status).toBe('completed');
    expect(done.conversion_progress).toBe(100);
    expect(done.duration).toBeCloseTo(1.04);
    expect(done.hls_url).toMatch(new RegExp(`/api/stream/${video.id}/playlist\\.m3u8$`));
    const queued = await queueJobOf(user.token, video.id);
    expect(queued.status).toBe('completed');
    expect(queued.completedAt).not.toBeNull();
  });

  it('rejects output names that could reach other objects', async () => {
    const { video } = await uploadSample();
    const runner = await registerRunner();
    const job = (await claimFor(runner, video.id))!;

    for (const name of ['..%2Fsecret', 'segment_1.ts', 'playlist.m3u8.bak', 'source']) {
      const res = await runner.call(`/api/runners/jobs/${job.id}/files/${name}`, { method: 'PUT', lease: job.leaseId, body: 'x' });
      expect(res.status, name).toBe(400);
    }
    await release(runner, job);
  });
});

describe('job failure and retries', () => {
  it('retries with backoff, then marks the job and video failed', async () => {
    const { video, user } = await uploadSample();
    const runner = await registerRunner();

    for (let attempt = 1; attempt <= 4; attempt++) {
      let job = null;
      for (let wait = 0; wait < 40 && !job; wait++) {
        job = await claimFor(runner, video.id);
        if (!job) await sleep(250);
      }
      expect(job, `attempt ${attempt} was never claimable`).not.toBeNull();
      expect(job!.attempt).toBe(attempt);
      const failed = await runner.call(`/api/runners/jobs/${job!.id}/fail`, { lease: job!.leaseId, json: { message: 'The file is not a video ffmpeg can read' } });
      expect(failed.body.data.status).toBe(attempt <= 3 ? 'retrying' : 'failed');
      if (attempt === 1) expect(await claimFor(runner, video.id), 'claimable before its backoff ended').toBeNull();
    }

    const job = await queueJobOf(user.token, video.id);
    expect(job.status).toBe('failed');
    expect(job.retryCount).toBe(3);
    expect(job.maxRetries).toBe(3);
    const failedVideo = await videoOf(user.token, video.id);
    expect(failedVideo.status).toBe('failed');
    expect(failedVideo.error_message).toBe('The file is not a video ffmpeg can read');
  }, 60_000);

  it('lets the owner retry a failed video and job, and nobody else', async () => {
    const { video, user } = await uploadSample();
    const stranger = await registerUser();
    const runner = await registerRunner();
    const job = (await claimFor(runner, video.id))!;
    await runner.call(`/api/runners/jobs/${job.id}/fail`, { lease: job.leaseId, json: { message: 'broken', retryable: false } });

    const foreign = await api(`/api/queue/retry/${job.id}`, { method: 'POST', headers: authHeader(stranger.token) });
    const own = await api(`/api/queue/retry/${job.id}`, { method: 'POST', headers: authHeader(user.token) });
    const twice = await api(`/api/queue/retry/${job.id}`, { method: 'POST', headers: authHeader(user.token) });

    expectEnvelopeError(foreign, 404, 'NOT_FOUND_ERROR', 'RESOURCE_NOT_FOUND');
    expect(own.status).toBe(200);
    expect(own.body.data).toEqual({ jobId: job.id, status: 'retrying' });
    expectEnvelopeError(twice, 400, 'BUSINESS_ERROR', 'INVALID_PARAMS');
    expect((await queueJobOf(user.token, video.id)).status).toBe('pending');
  });
});

describe('HLS conversion endpoints', () => {
  it('updates the settings of a job no runner has claimed yet', async () => {
    const { video, user } = await uploadSample();
    const before = await queueJobOf(user.token, video.id);

    const res = await api(`/api/hls/${video.id}/convert`, { method: 'POST', json: { quality: 'high', resolution: '480p' }, headers: authHeader(user.token) });

    expect(res.status).toBe(200);
    expect(res.body.data).toEqual({ videoId: video.id, jobId: before.id, status: 'queued' });
    const runner = await registerRunner();
    const job = (await claimFor(runner, video.id))!;
    expect(job.quality).toBe('high');
    expect(job.resolution).toBe('480p');
    await release(runner, job);
  });

  it('refuses to convert a video that is being processed', async () => {
    const { video, user } = await uploadSample();
    const runner = await registerRunner();
    const job = (await claimFor(runner, video.id))!;

    const res = await api(`/api/hls/${video.id}/convert`, { method: 'POST', headers: authHeader(user.token) });

    expectEnvelopeError(res, 400, 'BUSINESS_ERROR', 'VIDEO_ALREADY_PROCESSING');
    await release(runner, job);
  });

  it('rejects an unknown quality or resolution', async () => {
    const { video, user } = await uploadSample();
    const quality = await api(`/api/hls/${video.id}/convert`, { method: 'POST', json: { quality: 'ultra' }, headers: authHeader(user.token) });
    const resolution = await api(`/api/hls/${video.id}/convert`, { method: 'POST', json: { resolution: '4k' }, headers: authHeader(user.token) });

    expectEnvelopeError(quality, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    expect(quality.body.error.details.fields).toEqual(['quality']);
    expectEnvelopeError(resolution, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
  });

  it('reports status with the queue job', async () => {
    const { video, user } = await uploadSample();
    const res = await api(`/api/hls/${video.id}/status`, { headers: authHeader(user.token) });

    expect(res.status).toBe(200);
    expect(res.body.data.videoId).toBe(video.id);
    expect(res.body.data.status).toBe('uploaded');
    expect(res.body.data.hlsUrl).toBeNull();
    expect(res.body.data.queueJob.status).toBe('pending');
    expect(res.body.data.queueJob.maxRetries).toBe(3);
  });

  it('retries only failed conversions', async () => {
    const { video, user } = await uploadSample();
    const refused = await api(`/api/hls/${video.id}/retry`, { method: 'POST', headers: authHeader(user.token) });
    expectEnvelopeError(refused, 400, 'BUSINESS_ERROR', 'INVALID_PARAMS');

    const runner = await registerRunner();
    const job = (await claimFor(runner, video.id))!;
    await runner.call(`/api/runners/jobs/${job.id}/fail`, { lease: job.leaseId, json: { message: 'broken', retryable: false } });
    const retried = await api(`/api/hls/${video.id}/retry`, { method: 'POST', json: { resolution: '480p' }, headers: authHeader(user.token) });

    expect(retried.status).toBe(200);
    expect(retried.body.data.jobId).toBeGreaterThan(job.id);
    const again = (await claimFor(runner, video.id))!;
    expect(again.resolution).toBe('480p');
    await release(runner, again);
  });
});

describe('queue administration', () => {
  it('reports counts and the concurrency limit', async () => {
    const user = await registerUser();
    const res = await api('/api/queue/status', { headers: authHeader(user.token) });

    expect(res.status).toBe(200);
    for (const field of ['pending', 'processing', 'completed', 'failed', 'maxConcurrent']) {
      expect(Number.isInteger(res.body.data[field]), field).toBe(true);
    }
  });

  it('lets only admins change concurrency and clean up', async () => {
    const user = await registerUser();
    const admin = await adminToken();

    const denied = await api('/api/queue/config/concurrency', { method: 'POST', json: { maxConcurrent: 10 }, headers: authHeader(user.token) });
    const cleanupDenied = await api('/api/queue/cleanup', { method: 'POST', json: { keepCount: 10 }, headers: authHeader(user.token) });
    const allowed = await api('/api/queue/config/concurrency', { method: 'POST', json: { maxConcurrent: 10 }, headers: authHeader(admin) });
    const status = await api('/api/queue/status', { headers: authHeader(user.token) });

    expectEnvelopeError(denied, 403, 'AUTHORIZATION_ERROR', 'ACCESS_DENIED');
    expectEnvelopeError(cleanupDenied, 403, 'AUTHORIZATION_ERROR', 'ACCESS_DENIED');
    expect(allowed.body.data).toEqual({ maxConcurrent: 10 });
    expect(status.body.data.maxConcurrent).toBe(10);
  });

  it('validates the concurrency and keepCount ranges', async () => {
    const admin = await adminToken();
    for (const maxConcurrent of [0, 11, 2.5, '3']) {
      const res = await api('/api/queue/config/concurrency', { method: 'POST', json: { maxConcurrent }, headers: authHeader(admin) });
      expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    }
    for (const keepCount of [0, 1001]) {
      const res = await api('/api/queue/cleanup', { method: 'POST', json: { keepCount }, headers: authHeader(admin) });
      expectEnvelopeError(res, 400, 'VALIDATION_ERROR', 'INVALID_PARAMS');
    }
    const ok = await api('/api/queue/cleanup', { method: 'POST', json: { keepCount: 1000 }, headers: authHeader(admin) });
    expect(ok.status).toBe(200);
    expect(ok.body.data.keepCount).toBe(1000);
  });
});
