/**
 * Cluster networking inside the harness's private network namespace:
 * - each Service gets its own loopback address (127.0.1.x), each pod one too (127.0.2.x);
 * - Service names resolve through /etc/hosts files (the harness's own, and one per pod
 *   with that pod's namespace's short names, as the cluster DNS search path gives);
 * - `port` → the pod's `targetPort` and NodePorts on 127.0.0.1 are nftables DNAT
 *   rules, as kube-proxy writes iptables rules: nothing listens on a Service address,
 *   so a wrong targetPort is refused as on a cluster.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export interface ServicePort {
  readonly port: number;
  readonly nodePort?: number;
  /** Resolved to a number for the endpoint pod. */
  readonly targetPort: number;
}

export interface Endpoints {
  readonly name: string;
  readonly namespace: string;
  /** undefined for a headless Service. */
  readonly ip: string | undefined;
  readonly ports: readonly ServicePort[];
  /** Ready pods' addresses, with the target port resolved per pod. */
  readonly ready: readonly { readonly ip: string; readonly ports: ReadonlyMap<number, number> }[];
}

export class Network {
  private nextService = 1;
  private nextPod = 1;
  private readonly podIps = new Map<string, string>();
  private readonly hostFiles = new Map<string, { namespace: string; extra: string[] }>();
  private services: readonly Endpoints[] = [];

  /** Bring up loopback in the new namespace. */
  static init(): void {
    execFileSync('/usr/sbin/ip', ['link', 'set', 'lo', 'up']);
  }

  allocateServiceIp(): string {
    const n = this.nextService++;
    const ip = `127.0.1.${n}`;
    if (n > 250) throw new Error('more than 250 Services: the harness allocates from 127.0.1.0/24');
    execFileSync('/usr/sbin/ip', ['addr', 'add', `${ip}/32`, 'dev', 'lo']);
    return ip;
  }

  /** A pod keeps its address across re-creation (stable names make logs easier to read). */
  podIp(key: string): string {
    let ip = this.podIps.get(key);
    if (!ip) {
      const n = this.nextPod++;
      ip = `127.0.${2 + Math.floor(n / 250)}.${n % 250 || 250}`;
      execFileSync('/usr/sbin/ip', ['addr', 'add', `${ip}/32`, 'dev', 'lo']);
      this.podIps.set(key, ip);
    }
    return ip;
  }

  /** Register a hosts file for a pod (or the harness itself with namespace ''), rewritten in place on changes. */
  registerHosts(path: string, namespace: string, extra: string[]): void {
    this.hostFiles.set(path, { namespace, extra });
    this.writeHosts(path);
  }

  unregisterHosts(path: string): void {
    this.hostFiles.delete(path);
  }

  private names(e: Endpoints, namespace: string): string[] {
    const full = [`${e.name}.${e.namespace}.svc.cluster.local`, `${e.name}.${e.namespace}.svc`, `${e.name}.${e.namespace}`];
    return e.namespace === namespace ? [...full, e.name] : full;
  }

  private writeHosts(path: string): void {
    const entry = this.hostFiles.get(path)!;
    const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', ...entry.extra];
    for (const e of this.services) {
      const ips = e.ip !== undefined ? [e.ip] : e.ready.map((r) => r.ip);
      for (const ip of ips) lines.push(`${ip}\t${this.names(e, entry.namespace).join(' ')}`);
    }
    // Same inode: the file is bind-mounted into running containers.
    writeFileSync(path, lines.join('\n') + '\n');
  }

  /** Replace every Service's rules and names at once. */
  update(services: readonly Endpoints[]): void {
    this.services = services;
    const rules: string[] = [];
    for (const s of services) {
      const target = s.ready[0];
      if (target === undefined) continue;
      for (const p of s.ports) {
        const to = `${target.ip}:${target.ports.get(p.port) ?? p.targetPort}`;
        if (s.ip !== undefined) rules.push(`    ip daddr ${s.ip} tcp dport ${p.port} dnat to ${to}`);
        if (p.nodePort !== undefined) rules.push(`    ip daddr 127.0.0.1 tcp dport ${p.nodePort} dnat to ${to}`);
      }
    }
    const script = [
      'table ip kube-proxy',
      'delete table ip kube-proxy',
      'table ip kube-proxy {',
      '  chain output {',
      '    type nat hook output priority -100; policy accept;',
      ...rules,
      '  }',
      '}',
    ].join('\n');
    execFileSync('/usr/sbin/nft', ['-f', '-'], { input: script });
    for (const path of this.hostFiles.keys()) this.writeHosts(path);
  }
}
