import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

// Timestamps shown to clients are ISO 8601 text, so they sort and compare as strings.
// Lease and throttle deadlines are epoch milliseconds because the queue does arithmetic on them.

export const users = sqliteTable(
  'users',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    email: text('email').notNull(),
    emailNormalized: text('email_normalized').notNull(),
    passwordHash: text('password_hash').notNull(),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: integer('locked_until'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('users_email_normalized_unique').on(table.emailNormalized),
    uniqueIndex('users_username_unique').on(table.username),
  ],
);

export const videos = sqliteTable(
  'videos',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    // Lower-cased title for case-insensitive search with instr(), which treats % and _ as plain characters.
    titleSearch: text('title_search').notNull(),
    originalFilename: text('original_filename').notNull(),
    mimeType: text('mime_type').notNull(),
    fileSize: integer('file_size').notNull(),
    duration: real('duration'),
    width: integer('width'),
    height: integer('height'),
    status: text('status', { enum: ['uploaded', 'processing', 'completed', 'failed', 'deleted'] }).notNull(),
    conversionProgress: integer('conversion_progress').notNull().default(0),
    errorMessage: text('error_message'),
    // Object keys are built by the server from ids and random values, never from the client's filename.
    sourceKey: text('source_key').notNull(),
    outputPrefix: text('output_prefix').notNull(),
    thumbnailKey: text('thumbnail_key'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    index('videos_user_created_idx').on(table.userId, table.createdAt),
    index('videos_user_status_idx').on(table.userId, table.status),
  ],
);

export const jobs = sqliteTable(
  'jobs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    videoId: integer('video_id')
      .notNull()
      .references(() => videos.id, { onDelete: 'cascade' }),
    status: text('status', { enum: ['pending', 'processing', 'completed', 'failed'] }).notNull(),
    priority: integer('priority').notNull().default(1),
    quality: text('quality', { enum: ['low', 'medium', 'high'] }).notNull().default('medium'),
    resolution: text('resolution', { enum: ['480p', '720p', '1080p'] }).notNull().default('720p'),
    retryCount: integer('retry_count').notNull().default(0),
    maxRetries: integer('max_retries').notNull().default(3),
    errorMessage: text('error_message'),
    progress: integer('progress').notNull().default(0),
    runnerId: integer('runner_id'),
    leaseId: text('lease_id'),
    leaseExpiresAt: integer('lease_expires_at'),
    // Lease length the runner asked for at claim time; each renewal extends the lease by this much.
    leaseSeconds: integer('lease_seconds'),
    notBefore: integer('not_before').notNull().default(0),
    createdAt: text('created_at').notNull(),
    startedAt: text('started_at'),
    completedAt: text('completed_at'),
  },
  (table) => [
    index('jobs_claim_idx').on(table.status, table.priority, table.id),
    index('jobs_video_idx').on(table.videoId),
    index('jobs_lease_idx').on(table.status, table.leaseExpiresAt),
  ],
);

export const runners = sqliteTable(
  'runners',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: text('created_at').notNull(),
    lastSeenAt: text('last_seen_at'),
  },
  (table) => [uniqueIndex('runners_token_hash_unique').on(table.tokenHash)],
);

export const shares = sqliteTable(
  'shares',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    videoId: integer('video_id')
      .notNull()
      .references(() => videos.id, { onDelete: 'cascade' }),
    accessToken: text('access_token').notNull(),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    accessCount: integer('access_count').notNull().default(0),
    lastAccessedAt: text('last_accessed_at'),
    createdAt: text('created_at').notNull(),
  },
  (table) => [uniqueIndex('shares_access_token_unique').on(table.accessToken), index('shares_video_idx').on(table.videoId)],
);

export const uploadSessions = sqliteTable(
  'upload_sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    filename: text('filename').notNull(),
    fileSize: integer('file_size').notNull(),
    chunkSize: integer('chunk_size').notNull(),
    totalChunks: integer('total_chunks').notNull(),
    status: text('status', { enum: ['uploading', 'completing', 'completed', 'failed', 'cancelled', 'expired'] }).notNull(),
    // Each chunk is stored as its own object under this prefix until `complete` assembles them.
    chunkPrefix: text('chunk_prefix').notNull(),
    videoId: integer('video_id'),
    expiresAt: text('expires_at').notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [index('upload_sessions_user_idx').on(table.userId), index('upload_sessions_status_expiry_idx').on(table.status, table.expiresAt)],
);

// One row per received chunk: concurrent chunk requests insert rows instead of rewriting a shared list.
export const uploadChunks = sqliteTable(
  'upload_chunks',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => uploadSessions.id, { onDelete: 'cascade' }),
    chunkNumber: integer('chunk_number').notNull(),
    size: integer('size').notNull(),
    // Every attempt is stored under its own key, so a failed resend never damages a chunk already received.
    objectKey: text('object_key').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.sessionId, table.chunkNumber] })],
);

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: text('updated_at')
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`),
});
