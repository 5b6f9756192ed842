// At a terminal the transcoder prints short readable lines and a live progress line. Anywhere else
// (a container, a service manager, a pipe) it writes one JSON object per line.

export type Fields = Record<string, unknown>;

const interactive = Boolean(process.stderr.isTTY) && process.env.LOG_FORMAT !== 'json';
// True while the cursor sits at the end of a progress line that the next message must not overwrite.
let progressLineOpen = false;

function describe(fields: Fields) {
  return Object.entries(fields)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
}

export const log = {
  info(message: string, fields: Fields = {}) {
    write('info', message, fields);
  },
  warn(message: string, fields: Fields = {}) {
    write('warn', message, fields);
  },
  error(message: string, fields: Fields = {}) {
    write('error', message, fields);
  },
  /** Progress goes to one rewritten line on a terminal, and otherwise to a JSON line for each new percent. */
  progress(jobId: number, percent: number) {
    if (interactive) {
      process.stderr.write(`\r  job ${jobId}: ${String(percent).padStart(3)}% ${'#'.repeat(Math.round(percent / 4)).padEnd(25, '.')}`);
      progressLineOpen = percent < 100;
      if (!progressLineOpen) process.stderr.write('\n');
      return;
    }
    write('info', 'progress', { jobId, percent });
  },
};

function write(level: string, message: string, fields: Fields) {
  if (interactive) {
    if (progressLineOpen) process.stderr.write('\n');
    progressLineOpen = false;
    process.stderr.write(`${level === 'info' ? '' : level.toUpperCase() + ': '}${message}${Object.keys(fields).length ? ' ' + describe(fields) : ''}\n`);
    return;
  }
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }) + '\n');
}

export function errorMessage(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}
