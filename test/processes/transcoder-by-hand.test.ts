// Runs the README's "run a transcoder by hand" commands as written, in a copy of the repository's
// files, against a fresh server: the same steps transcoder/Dockerfile performs.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser } from '../helpers/api.js';
import { uploadFile, waitForConversion } from '../helpers/e2e.js';
import { MEDIA_DIR } from '../helpers/runner.js';
import { startNodeServer, type NodeServer } from '../setup/node-server.js';
import { RUNNER_REGISTRATION_TOKEN } from '../setup/settings.js';
import { projectRoot, spawnService, type ServiceProcess } from '../../scripts/workers-stack.mjs';

const README = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');

/** Returns the shell block between the README's `<!-- transcoder:start -->` and `<!-- transcoder:end -->`. */
function readmeBlock(name: string) {
  const match = new RegExp(`<!-- ${name}:start -->\\s*\`\`\`sh\\n([\\s\\S]*?)\`\`\`\\s*<!-- ${name}:end -->`).exec(README);
  if (!match) throw new Error(`README.md has no ${name} block`);
  return match[1];
}

let server: NodeServer;
let transcoder: ServiceProcess | undefined;
const checkout = mkdtempSync(path.join(tmpdir(), 'hlsmith-transcoder-checkout-'));

beforeAll(async () => {
  server = await startNodeServer();
  for (const entry of ['package.json', 'package-lock.json', '.npmrc', 'transcoder']) {
    cpSync(path.join(projectRoot, entry), path.join(checkout, entry), { recursive: true, filter: (source) => !source.includes('node_modules') });
  }
});

afterAll(async () => {
  await transcoder?.stop();
  await server?.stop();
  rmSync(checkout, { recursive: true, force: true });
});

describe('README transcoder commands', () => {
  it('install a runner that converts an upload', async () => {
    const [install, run] = readmeBlock('transcoder').split('\n').filter(Boolean).reduce<string[]>((commands, line) => {
      if (commands.length && commands[commands.length - 1].endsWith('\\')) commands[commands.length - 1] = commands[commands.length - 1].slice(0, -1) + line;
      else commands.push(line);
      return commands;
    }, []);
    expect(install).toMatch(/^npm ci /);
    expect(run).toContain('node transcoder/bin/hlsmith-transcoder.mjs');

    execFileSync('bash', ['-c', install], { cwd: checkout, stdio: 'pipe', timeout: 300_000 });
    // The README reads the token from data/ of an `npm start` checkout; here the test server's is given.
    const command = run.replace('$(cat data/runner-registration-token)', RUNNER_REGISTRATION_TOKEN).replace('http://127.0.0.1:3001', server.url);
    transcoder = spawnService({ name: 'transcoder', command: 'bash', args: ['-c', command], env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_FORMAT: 'json' }, cwd: checkout, logFile: path.join(checkout, 'transcoder.log') });

    const user = await registerUser({ baseUrl: server.url });
    const uploaded = await uploadFile(user, path.join(MEDIA_DIR, 'bear-vp9-161x121.webm'), 'By hand', undefined, server.url);
    expect(uploaded.status, uploaded.text).toBe(201);
    const video = await waitForConversion(user, uploaded.body.data.id, 180_000, server.url);

    expect(video.status, video.error_message).toBe('completed');
    expect(video.duration).toBeGreaterThan(0.9);
  });
});
