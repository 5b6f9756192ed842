// Types for workers-stack.mjs, which stays plain JavaScript so `npm run dev` needs no TypeScript loader.

export declare const projectRoot: string;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface ServiceProcess {
  name: string;
  logFile: string;
  pid: number | undefined;
  exitStatus(): ExitStatus | null;
  exited: Promise<ExitStatus>;
  stop(graceMs?: number): Promise<void>;
}

export declare function freePort(): Promise<number>;
export declare function tailOfFile(file: string, lines?: number): string;
export declare function spawnService(options: {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
}): ServiceProcess;
export declare function waitForHttpOk(url: string, service: ServiceProcess, timeoutMs: number): Promise<void>;
export declare function applyMigrations(url: string): Promise<void>;

export interface WorkersStack {
  url: string;
  sqldUrl: string;
  stop(): Promise<void>;
}

export declare function startWorkersStack(options: {
  port?: number;
  dataDir: string;
  vars?: Record<string, string>;
  log?: (message: string) => void;
  startupTimeoutMs?: number;
}): Promise<WorkersStack>;
