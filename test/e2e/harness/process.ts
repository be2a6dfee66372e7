/**
 * One container process: its own mount namespace and root file system, the
 * pod's user and groups, no new privileges, capabilities dropped, and the
 * environment passed as the process environment (never in arguments).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { q, rootfsScript, type Mount } from './rootfs.js';

export interface Identity {
  readonly uid: number;
  readonly gid: number;
  readonly groups: readonly number[];
  readonly noNewPrivs: boolean;
  readonly dropAllCaps: boolean;
}

export interface ProcessSpec {
  /** Folder for this container run's root, scratch and log. */
  readonly dir: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workingDir: string;
  readonly identity: Identity;
  readonly readOnlyRoot: boolean;
  readonly mounts: readonly Mount[];
}

/** setpriv arguments for an identity: the same rules a container runtime applies. */
function setpriv(id: Identity): string[] {
  const args = ['/usr/bin/setpriv', `--reuid=${id.uid}`, `--regid=${id.gid}`];
  args.push(id.groups.length > 0 ? `--groups=${id.groups.join(',')}` : '--clear-groups');
  if (id.noNewPrivs) args.push('--no-new-privs');
  if (id.dropAllCaps || id.uid !== 0) args.push('--inh-caps=-all', '--bounding-set=-all');
  return args;
}

/** Variables bash itself exports, removed unless the container sets them. */
const SHELL_VARS = ['SHLVL', '_', 'PWD', 'OLDPWD'];

function envCleanup(env: Readonly<Record<string, string>>): string[] {
  return SHELL_VARS.filter((v) => !(v in env)).flatMap((v) => ['-u', v]);
}

export class ContainerProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<number>;
  private exitCode: number | undefined;

  constructor(readonly spec: ProcessSpec) {
    const root = join(spec.dir, 'root');
    mkdirSync(root, { recursive: true });
    const script = [
      ...rootfsScript({ root, scratch: join(spec.dir, 'scratch'), readOnlyRoot: spec.readOnlyRoot, mounts: spec.mounts }),
      `exec /usr/sbin/chroot ${q(root)} ${setpriv(spec.identity).map(q).join(' ')} -- /usr/bin/env -C ${q(spec.workingDir)} ${envCleanup(spec.env).map(q).join(' ')} -- ${spec.argv.map(q).join(' ')}`,
    ];
    const scriptFile = join(spec.dir, 'start.sh');
    writeFileSync(scriptFile, script.join('\n') + '\n', { mode: 0o700 });
    const log = createWriteStream(join(spec.dir, 'log'));
    this.child = spawn('/usr/bin/unshare', ['-m', '--propagation', 'private', '/bin/bash', scriptFile], {
      env: { ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let partial = '';
    const take = (b: Buffer) => {
      log.write(b);
      const text = partial + b.toString('utf8');
      const parts = text.split('\n');
      partial = parts.pop() ?? '';
      this.lines.push(...parts);
      if (this.lines.length > 400) this.lines.splice(0, this.lines.length - 400);
    };
    this.child.stdout!.on('data', take);
    this.child.stderr!.on('data', take);
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        if (partial) this.lines.push(partial);
        log.end();
        this.exitCode = code ?? (signal ? 128 + (signalNumber[signal] ?? 9) : 1);
        resolve(this.exitCode);
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  tail(n = 12): string[] {
    return this.lines.slice(-n);
  }

  /** SIGTERM, then SIGKILL to the whole process group after the grace period. */
  async stop(graceSeconds: number): Promise<void> {
    if (!this.running) return;
    try {
      process.kill(-this.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    const timer = setTimeout(
      () => {
        try {
          process.kill(-this.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      },
      Math.min(graceSeconds, 15) * 1000,
    );
    await this.exited;
    clearTimeout(timer);
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      /* every child is gone */
    }
  }

  /** Run a command inside this container (an exec probe), as its user, with its environment. */
  exec(argv: readonly string[], timeoutSeconds: number): Promise<{ code: number; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(
        '/usr/bin/nsenter',
        [`--target=${this.pid}`, '--mount', '--root', '--wd', ...setpriv(this.spec.identity), '--', '/usr/bin/env', ...envCleanup(this.spec.env), '--', ...argv],
        {
          env: { ...this.spec.env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (b: Buffer) => {
        output += b.toString('utf8');
      });
      child.stderr.on('data', (b: Buffer) => {
        output += b.toString('utf8');
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutSeconds * 1000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, output });
      });
    });
  }
}

const signalNumber: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15, SIGSEGV: 11, SIGABRT: 6 };
