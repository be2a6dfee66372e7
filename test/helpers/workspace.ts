import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const binPath = join(projectRoot, 'bin', 'gen-gitops.js');

/** A scratch source repo (copy of environments/) and an empty place for the config repo. */
export interface Workspace {
  dir: string;
  source: string;
  repo: string;
  envFile(name: string): string;
  writeEnv(name: string, text: string): void;
  readEnv(name: string): string;
  cleanup(): void;
}

export function makeWorkspace(prefix = 'gen-gitops-test-'): Workspace {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const source = join(dir, 'source');
  cpSync(join(projectRoot, 'environments'), join(source, 'environments'), { recursive: true });
  const envFile = (name: string) => join(source, 'environments', `${name}.yaml`);
  return {
    dir,
    source,
    repo: join(dir, 'gitops'),
    envFile,
    writeEnv: (name, text) => writeFileSync(envFile(name), text),
    readEnv: (name) => readFileSync(envFile(name), 'utf8'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real built CLI as a child process (what a user runs). */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  return new Promise((done) => {
    execFile(process.execPath, [binPath, ...args], { cwd: opts.cwd ?? projectRoot, env: { ...process.env, ...opts.env }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      done({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

/** Runs gen-gitops against a workspace's source and config repo. */
export function runIn(ws: Workspace, args: string[], env?: Record<string, string>): Promise<CliRun> {
  return runCli([...args, '--source', ws.source, '--repo', ws.repo], { env });
}
