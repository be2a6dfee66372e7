import { spawn } from 'node:child_process';
import { binPath, type CliRun, type Workspace } from './workspace.js';

/** The real CLI as a child process; reports `hung` (and kills it) instead of waiting forever. */
export function runBounded(ws: Workspace, args: string[], env: Record<string, string> = {}, limitMs = 60_000): Promise<CliRun & { hung: boolean }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [binPath, ...args, '--source', ws.source, '--repo', ws.repo], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      done({ code: code ?? (signal ? 128 : -1), stdout, stderr, hung });
    });
  });
}
