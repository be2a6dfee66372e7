/**
 * The container's file system, as a shell script of mount commands run in the
 * container's own mount namespace (`unshare -m`): a tmpfs root carrying the
 * host's top-level folders read-only (the "image"), every volume mounted at
 * exactly its rendered mountPath, then chroot and the pod's user.
 *
 * A mountPath whose parent does not exist on the host (e.g. /opt/gen-gitops,
 * /var/lib/postgresql/data) is made by "shadowing" its deepest existing
 * ancestor: a tmpfs over it that carries the ancestor's entries again as bind
 * mounts, with the new folder beside them. Nothing on the host changes.
 *
 * With readOnlyRootFilesystem the tmpfs root and every host folder are read
 * only, so a write anywhere but a writable volume fails with EROFS as it does
 * on a cluster; without it, each host folder is an overlay with a throwaway
 * upper layer.
 */
import { existsSync, lstatSync, readdirSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';

export interface Mount {
  /** Absolute path inside the container. */
  readonly path: string;
  /** Host file or folder mounted there. */
  readonly source: string;
  readonly readOnly: boolean;
}

export interface RootSpec {
  /** Empty folder that becomes the container's root (a mount point). */
  readonly root: string;
  /** Scratch folder for overlay layers (writable roots only). */
  readonly scratch: string;
  readonly readOnlyRoot: boolean;
  readonly mounts: readonly Mount[];
}

const KERNEL = new Set(['proc', 'sys', 'dev']);

export function q(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

class Script {
  readonly lines: string[] = ['set -e'];
  /** Host folders (container paths) that are bind mounts of the host, by shadowing state. */
  private readonly created = new Set<string>();

  constructor(private readonly spec: RootSpec) {}

  private at(path: string): string {
    return path === '/' ? this.spec.root : join(this.spec.root, path);
  }

  /** Re-create one host entry inside a tmpfs folder. */
  private carry(hostPath: string): void {
    const target = this.at(hostPath);
    const st = lstatSync(hostPath);
    if (st.isSymbolicLink()) {
      this.lines.push(`/usr/bin/ln -s ${q(readlinkSync(hostPath))} ${q(target)}`);
    } else if (st.isDirectory()) {
      this.lines.push(`/usr/bin/mkdir ${q(target)}`);
      this.hostFolder(hostPath, target);
    } else if (st.isFile()) {
      this.lines.push(`/usr/bin/touch ${q(target)}`, `/usr/bin/mount --bind ${q(hostPath)} ${q(target)}`, `/usr/bin/mount -o remount,bind,ro ${q(target)}`);
    }
    // sockets, FIFOs and devices at the top of a folder are not carried.
  }

  private hostFolder(hostPath: string, target: string): void {
    const top = hostPath.split('/')[1] ?? '';
    if (KERNEL.has(top)) {
      this.lines.push(`/usr/bin/mount --rbind ${q(hostPath)} ${q(target)}`);
    } else if (this.spec.readOnlyRoot) {
      this.lines.push(`/usr/bin/mount --rbind ${q(hostPath)} ${q(target)}`, `/usr/bin/mount -o remount,bind,ro ${q(target)}`);
    } else {
      const id = hostPath.replace(/\//g, '_');
      const upper = join(this.spec.scratch, 'upper', id);
      const work = join(this.spec.scratch, 'work', id);
      this.lines.push(
        `/usr/bin/mkdir -p ${q(upper)} ${q(work)}`,
        `/usr/bin/mount -t overlay overlay -o ${q(`lowerdir=${hostPath},upperdir=${upper},workdir=${work}`)} ${q(target)}`,
      );
    }
  }

  /** A tmpfs over `dir` carrying the host's entries of it again. */
  private shadow(dir: string): void {
    this.lines.push(`/usr/bin/mount -t tmpfs -o mode=755 tmpfs ${q(this.at(dir))}`);
    for (const name of readdirSync(dir === '/' ? '/' : dir).sort()) {
      this.carry(posix.join(dir, name));
    }
    this.created.add(dir);
  }

  /** Make `path` exist in the container (a folder, or a file when `file`). */
  ensure(path: string, file: boolean): void {
    const parts = path.split('/').filter(Boolean);
    let current = '/';
    for (let i = 0; i < parts.length; i++) {
      const next = posix.join(current, parts[i]!);
      const last = i === parts.length - 1;
      if (!this.created.has(next) && !existsSync(next)) {
        if (!this.created.has(current)) this.shadow(current);
        this.lines.push(last && file ? `/usr/bin/touch ${q(this.at(next))}` : `/usr/bin/mkdir ${q(this.at(next))}`);
        this.created.add(next);
      } else if (this.created.has(current) && !this.created.has(next) && existsSync(next) && lstatSync(next).isSymbolicLink()) {
        throw new Error(`mountPath ${path}: ${next} is a symbolic link on the host; the harness cannot mount through it`);
      }
      current = next;
    }
  }

  build(): string[] {
    this.shadow('/');
    for (const m of this.spec.mounts) {
      const file = existsSync(m.source) && !lstatSync(m.source).isDirectory();
      this.ensure(m.path, file);
      const target = this.at(m.path);
      this.lines.push(`/usr/bin/mount --bind ${q(m.source)} ${q(target)}`);
      if (m.readOnly) this.lines.push(`/usr/bin/mount -o remount,bind,ro ${q(target)}`);
    }
    if (this.spec.readOnlyRoot) {
      // Every tmpfs made above (the root and each shadow) becomes read-only too.
      for (const dir of [...this.created].filter((d) => !this.spec.mounts.some((m) => m.path === d))) {
        if (dir === '/' || this.isShadow(dir)) this.lines.push(`/usr/bin/mount -o remount,ro ${q(this.at(dir))}`);
      }
    }
    return this.lines;
  }

  private isShadow(dir: string): boolean {
    return this.lines.includes(`/usr/bin/mount -t tmpfs -o mode=755 tmpfs ${q(this.at(dir))}`);
  }
}

/** Shell lines that build the container's root under `spec.root`. */
export function rootfsScript(spec: RootSpec): string[] {
  return new Script(spec).build();
}
