import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { Logger } from './lib/logger.js';
import type { ObjectStore } from './storage/types.js';

export interface MemoryFigures {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
}

/** What differs between the Node and the Workers entry, reported by /api/health and used for background work. */
export interface RuntimeInfo {
  name: 'node' | 'workers';
  startedAt: Date;
  /** Process memory, or null where the runtime cannot report it (Workers). */
  memory(): MemoryFigures | null;
  /** When the next scheduled cleanup runs, if the entry knows its schedule. */
  nextScheduledCleanup(): Date | null;
}

/** Everything the app needs, built once by an entry and handed to createApp. */
export interface Deps {
  db: Database;
  store: ObjectStore;
  config: Config;
  clock: () => Date;
  logger: Logger;
  runtime: RuntimeInfo;
}

export interface AuthUser {
  id: number;
  email: string;
  username: string;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    user: AuthUser;
    runnerId: number;
  };
}
