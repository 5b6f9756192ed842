// Runs the README's curl walkthrough as written, with bash, against a fresh server that has its
// embedded transcoder, as `npm start` gives a newcomer.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../scripts/workers-stack.mjs';
import { startNodeServer, type NodeServer } from '../setup/node-server.js';

const run = promisify(execFile);
let server: NodeServer;

beforeAll(async () => {
  server = await startNodeServer({ transcoder: true });
});

afterAll(async () => {
  await server?.stop();
});

describe('README walkthrough', () => {
  it('ends with a share page that serves the video', async () => {
    const readme = readFileSync(path.join(projectRoot, 'README.md'), 'utf8');
    const block = /<!-- walkthrough:start -->\s*```sh\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme);
    expect(block, 'README.md has no walkthrough block').not.toBeNull();

    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', block![1]], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, BASE: server.url },
      timeout: 300_000,
    });

    const lines = stdout.trim().split('\n');
    expect(lines).toContain('completed');
    const pageUrl = lines[lines.length - 1];
    expect(pageUrl).toMatch(new RegExp(`^${server.url}/share/[0-9a-f-]{36}$`));
    const page = await fetch(pageUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('My first video');
  });
});
