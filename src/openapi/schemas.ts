// Response shapes of the API as zod schemas. They feed the OpenAPI document only; handlers build
// their responses with the to*Response functions of the services, whose fields these mirror.
import { z } from 'zod';

const timestamp = z.string().describe('ISO 8601 timestamp');

export const userResponse = z.object({ id: z.number().int(), username: z.string(), email: z.string(), created_at: timestamp, updated_at: timestamp });

export const authResponse = z.object({ token: z.string().describe('JWT access token (HS256)'), user: userResponse });

const videoStatus = z.enum(['uploaded', 'processing', 'completed', 'failed']);

export const uploadedVideo = z.object({
  id: z.number().int(),
  title: z.string(),
  original_filename: z.string(),
  file_size: z.number().int(),
  status: videoStatus,
  conversion_progress: z.number().int().min(0).max(100),
  created_at: timestamp,
  updated_at: timestamp,
});

export const videoResponse = uploadedVideo.extend({
  duration: z.number().optional().describe('Seconds, once converted'),
  thumbnail_url: z.string().url().optional(),
  hls_url: z.string().url().optional().describe('Present once the video is completed; needs the Bearer token'),
  playback_url: z.string().url().optional().describe('Playlist URL carrying a short-lived playback token, for players that cannot send headers'),
  error_message: z.string().optional().describe('Why conversion failed, when status is failed'),
});

export const queueJob = z.object({
  id: z.number().int(),
  videoId: z.number().int(),
  status: z.enum(['pending', 'processing', 'completed', 'failed']),
  priority: z.number().int(),
  retryCount: z.number().int(),
  maxRetries: z.number().int(),
  errorMessage: z.string().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  completedAt: timestamp.nullable(),
});

export const queuedConversion = z.object({ videoId: z.number().int(), jobId: z.number().int(), status: z.literal('queued') });

export const conversionStatus = z.object({
  videoId: z.number().int(),
  status: videoStatus,
  progress: z.number().int(),
  hlsUrl: z.string().url().nullable(),
  thumbnailUrl: z.string().url().nullable(),
  errorMessage: z.string().nullable(),
  queueJob: queueJob.nullable(),
});

export const queueStatus = z.object({
  pending: z.number().int(),
  processing: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  maxConcurrent: z.number().int(),
});

export const shareResponse = z.object({
  id: z.number().int(),
  video_id: z.number().int(),
  access_token: z.string().uuid(),
  share_url: z.string().url(),
  created_at: timestamp,
  is_active: z.boolean(),
  access_count: z.number().int(),
});

export const shareInfo = z.object({ title: z.string(), duration: z.number().optional(), shared_at: timestamp, view_count: z.number().int() });

export const uploadSession = z.object({
  id: z.string().uuid(),
  filename: z.string(),
  file_size: z.number().int(),
  total_chunks: z.number().int(),
  chunk_size: z.number().int(),
  uploaded_chunks: z.array(z.number().int()),
  missing_chunks: z.array(z.number().int()).describe('Chunk numbers still to send; resend exactly these to resume'),
  status: z.enum(['uploading', 'completing', 'completed', 'failed', 'cancelled', 'expired']),
  expires_at: timestamp,
  created_at: timestamp,
  updated_at: timestamp,
});

export const uploadChunkResponse = z.object({
  uploadId: z.string().uuid(),
  chunkNumber: z.number().int(),
  uploadedChunks: z.array(z.number().int()),
  totalChunks: z.number().int(),
  isComplete: z.boolean(),
});

export const cleanupResult = z.object({ cleaned_sessions: z.number().int(), cleaned_files: z.number().int(), freed_space: z.number().int() });

export const cleanupStatusResponse = z.object({
  last_cleanup: timestamp.nullable(),
  active_sessions: z.number().int(),
  expired_sessions: z.number().int(),
  total_temp_size: z.number().int(),
  next_scheduled_cleanup: timestamp.nullable(),
});

export const pagination = z.object({
  page: z.number().int(),
  limit: z.number().int(),
  total: z.number().int(),
  pages: z.number().int(),
  has_next: z.boolean(),
  has_prev: z.boolean(),
});

export const errorEnvelope = z.object({
  success: z.literal(false),
  code: z.number().int(),
  message: z.string(),
  error: z.object({
    type: z.enum([
      'VALIDATION_ERROR',
      'AUTHENTICATION_ERROR',
      'AUTHORIZATION_ERROR',
      'NOT_FOUND_ERROR',
      'CONFLICT_ERROR',
      'BUSINESS_ERROR',
      'RATE_LIMIT_ERROR',
      'PAYLOAD_TOO_LARGE_ERROR',
      'INTERNAL_ERROR',
    ]),
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional().describe('For validation errors, `fields` names the offending fields'),
  }),
  timestamp,
});
