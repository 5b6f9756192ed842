// Another user's video, job or upload session must be indistinguishable from one that does not exist:
// same status, same envelope, same message, and no change to the owner's data.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, authHeader, registerUser, type ApiResponse, type RegisteredUser } from '../helpers/api.js';
import {
  chunkOf,
  completeChunkedUpload,
  createVideo,
  download,
  initChunkedUpload,
  KiB,
  makeMediaFile,
  sendChunk,
  sendChunks,
  sha256,
  uploadStatus,
} from '../helpers/media.js';

const CHUNK_SIZE = 64 * KiB;
const MISSING_VIDEO_ID = 2_000_000_000;
const MISSING_JOB_ID = 2_000_000_000;
const MISSING_UPLOAD_ID = '00000000-0000-4000-8000-000000000000';

/** Strips what differs between any two requests (the timestamp and the request id) from a response. */
function comparable(res: ApiResponse) {
  const body = structuredClone(res.body);
  if (body) delete body.timestamp;
  if (body?.error?.details) delete body.error.details.request_id;
  return { status: res.status, contentType: res.headers.get('content-type'), body };
}

interface Probe {
  label: string;
  /** Sends the request as `token` against the owner's id (`own`) or a missing one (`own` false). */
  send: (token: string, own: boolean) => Promise<ApiResponse>;
}

describe('resources of another user', () => {
  let owner: RegisteredUser;
  let intruder: RegisteredUser;
  let video: any;
  let videoData: Uint8Array;
  let jobId: number;
  let uploadId: string;
  const sessionData = makeMediaFile(3 * CHUNK_SIZE, { seed: 21 });

  beforeAll(async () => {
    [owner, intruder] = await Promise.all([registerUser(), registerUser()]);
    ({ video, data: videoData } = await createVideo(owner.token, { title: 'Owner video', size: 32 * KiB, seed: 20 }));

    const job = await api(`/api/queue/video/${video.id}`, { headers: authHeader(owner.token) });
    jobId = job.body.data.id;

    const init = await initChunkedUpload(owner.token, { filename: 'owner.mp4', fileSize: sessionData.length, chunkSize: CHUNK_SIZE });
    uploadId = init.body.data.id;
    await sendChunks(owner.token, uploadId, sessionData, CHUNK_SIZE, [0, 1]);
  });

  const videoPath = (own: boolean) => `/api/videos/${own ? video.id : MISSING_VIDEO_ID}`;
  const hlsPath = (own: boolean) => `/api/hls/${own ? video.id : MISSING_VIDEO_ID}`;
  const session = (own: boolean) => (own ? uploadId : MISSING_UPLOAD_ID);

  const probes: Probe[] = [
    { label: 'GET /api/videos/:id', send: (token, own) => api(videoPath(own), { headers: authHeader(token) }) },
    { label: 'PUT /api/videos/:id', send: (token, own) => api(videoPath(own), { method: 'PUT', headers: authHeader(token), json: { title: 'Taken over' } }) },
    { label: 'GET /api/videos/:id/status', send: (token, own) => api(`${videoPath(own)}/status`, { headers: authHeader(token) }) },
    { label: 'POST /api/videos/:id/retry', send: (token, own) => api(`${videoPath(own)}/retry`, { method: 'POST', headers: authHeader(token) }) },
    { label: 'GET /api/videos/:id/download', send: (token, own) => api(`${videoPath(own)}/download`, { headers: authHeader(token) }) },
    { label: 'POST /api/hls/:id/convert', send: (token, own) => api(`${hlsPath(own)}/convert`, { method: 'POST', headers: authHeader(token), json: {} }) },
    { label: 'GET /api/hls/:id/status', send: (token, own) => api(`${hlsPath(own)}/status`, { headers: authHeader(token) }) },
    { label: 'POST /api/hls/:id/retry', send: (token, own) => api(`${hlsPath(own)}/retry`, { method: 'POST', headers: authHeader(token), json: {} }) },
    { label: 'GET /api/queue/video/:id', send: (token, own) => api(`/api/queue/video/${own ? video.id : MISSING_VIDEO_ID}`, { headers: authHeader(token) }) },
    {
      label: 'POST /api/queue/retry/:jobId',
      send: (token, own) => api(`/api/queue/retry/${own ? jobId : MISSING_JOB_ID}`, { method: 'POST', headers: authHeader(token) }),
    },
    { label: 'GET /api/upload/status/:uploadId', send: (token, own) => uploadStatus(token, session(own)) },
    { label: 'POST /api/upload/chunk', send: (token, own) => sendChunk(token, session(own), 2, chunkOf(sessionData, CHUNK_SIZE, 2)) },
    { label: 'POST /api/upload/complete', send: (token, own) => completeChunkedUpload(token, session(own), 'Taken over') },
    { label: 'DELETE /api/upload/:uploadId', send: (token, own) => api(`/api/upload/${session(own)}`, { method: 'DELETE', headers: authHeader(token) }) },
    // Deleting last keeps the video in place for the probes above, whichever order they run in.
    { label: 'DELETE /api/videos/:id', send: (token, own) => api(videoPath(own), { method: 'DELETE', headers: authHeader(token) }) },
  ];

  async function expectOwnerDataUnchanged() {
    const details = await api(`/api/videos/${video.id}`, { headers: authHeader(owner.token) });
    expect(details.status, details.text).toBe(200);
    expect(details.body.data).toEqual(video);

    const file = await download(owner.token, video.id);
    expect(file.status).toBe(200);
    expect(sha256(new Uint8Array(await file.arrayBuffer()))).toBe(sha256(videoData));

    const job = await api(`/api/queue/video/${video.id}`, { headers: authHeader(owner.token) });
    expect(job.body.data.id).toBe(jobId);
    expect(job.body.data.status).toBe('pending');
    expect(job.body.data.retryCount).toBe(0);

    const status = await uploadStatus(owner.token, uploadId);
    expect(status.body.data.status).toBe('uploading');
    expect(status.body.data.uploaded_chunks).toEqual([0, 1]);
  }

  it.each(probes)('answers $label exactly as for a missing id', async ({ send }) => {
    const missing = await send(intruder.token, false);
    const foreign = await send(intruder.token, true);

    expect(missing.status).toBe(404);
    expect(comparable(foreign)).toEqual(comparable(missing));
    await expectOwnerDataUnchanged();
  });

  it('gives the intruder an empty video list', async () => {
    const res = await api('/api/videos', { headers: authHeader(intruder.token) });

    expect(res.status, res.text).toBe(200);
    expect(res.body.meta.pagination.total).toBe(0);
    expect(res.body.data).toEqual([]);
  });
});

describe('a session another user has probed', () => {
  it('still completes for its owner', async () => {
    const [owner, intruder] = await Promise.all([registerUser(), registerUser()]);
    const data = makeMediaFile(2 * CHUNK_SIZE + 10, { seed: 22 });
    const init = await initChunkedUpload(owner.token, { filename: 'probed.mp4', fileSize: data.length, chunkSize: CHUNK_SIZE });
    const uploadId = init.body.data.id;
    await sendChunks(owner.token, uploadId, data, CHUNK_SIZE, [0, 1]);

    const chunk = await sendChunk(intruder.token, uploadId, 2, makeMediaFile(10, { seed: 23 }));
    const complete = await completeChunkedUpload(intruder.token, uploadId, 'Taken over');
    const cancel = await api(`/api/upload/${uploadId}`, { method: 'DELETE', headers: authHeader(intruder.token) });
    expect([chunk.status, complete.status, cancel.status]).toEqual([404, 404, 404]);

    await sendChunks(owner.token, uploadId, data, CHUNK_SIZE, [2]);
    const completed = await completeChunkedUpload(owner.token, uploadId, 'Owner session');

    expect(completed.status, completed.text).toBe(201);
    expect(completed.body.data.title).toBe('Owner session');
    const file = await download(owner.token, completed.body.data.id);
    expect(sha256(new Uint8Array(await file.arrayBuffer()))).toBe(sha256(data));
  });
});
