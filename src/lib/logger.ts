export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Reads LOG_LEVEL; unset means info, and an unknown value is an error naming the accepted ones. */
export function parseLogLevel(value: string | undefined): LogLevel {
  if (!value) return 'info';
  if (!LEVELS.includes(value as LogLevel)) throw new Error(`Invalid LOG_LEVEL ${JSON.stringify(value)}: use ${LEVELS.join(', ')}`);
  return value as LogLevel;
}

/** Writes one JSON object per line; callers pass ids, never passwords, tokens or whole JWTs. */
export function createJsonLogger(minLevel: LogLevel = 'info'): Logger {
  const threshold = LEVELS.indexOf(minLevel);

  return {
    log(level, message, fields) {
      if (LEVELS.indexOf(level) < threshold) return;
      const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...fields });
      if (level === 'error' || level === 'warn') console.error(line);
      else console.log(line);
    },
  };
}

/** Serialises an unknown thrown value for a log line without losing the stack. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) return { error: error.message, name: error.name, stack: error.stack };
  return { error: String(error) };
}
