/**
 * Startup, readiness and liveness probes as the kubelet runs them
 * (k8s.io/kubernetes pkg/probe): HTTP GET to the pod IP with Host `ip:port`,
 * success for 200–399; TCP connect; exec inside the container, success on exit 0.
 */
import { request } from 'node:http';
import { connect } from 'node:net';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { ContainerProcess } from './process.js';

export interface ProbeResult {
  readonly ok: boolean;
  readonly message: string;
}

export function resolvePort(c: IContainer, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return c.ports?.find((p) => p.name === port)?.containerPort;
}

function httpGet(ip: string, port: number, path: string, headers: Record<string, string>, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = request({ host: ip, port, path, method: 'GET', headers: { 'User-Agent': 'kube-probe/1.33', Accept: '*/*', ...headers }, timeout: timeoutMs }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true, message: `HTTP ${code}` } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, message: `Get "http://${ip}:${port}${path}": context deadline exceeded` });
    });
    req.on('error', (e) => resolve({ ok: false, message: `Get "http://${ip}:${port}${path}": ${e.message}` }));
    req.end();
  });
}

function tcp(ip: string, port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = connect({ host: ip, port, timeout: timeoutMs });
    s.on('connect', () => {
      s.destroy();
      resolve({ ok: true, message: 'connected' });
    });
    s.on('timeout', () => {
      s.destroy();
      resolve({ ok: false, message: `dial tcp ${ip}:${port}: i/o timeout` });
    });
    s.on('error', (e) => resolve({ ok: false, message: `dial tcp ${ip}:${port}: ${e.message}` }));
  });
}

export async function runProbe(probe: IProbe, c: IContainer, podIp: string, proc: ContainerProcess): Promise<ProbeResult> {
  const timeout = probe.timeoutSeconds ?? 1;
  if (probe.httpGet) {
    const port = resolvePort(c, probe.httpGet.port);
    if (port === undefined) return { ok: false, message: `port ${probe.httpGet.port} not found in container ports` };
    const host = probe.httpGet.host ?? podIp;
    const headers: Record<string, string> = { Host: `${host}:${port}` };
    for (const h of probe.httpGet.httpHeaders ?? []) headers[h.name] = h.value;
    if ((probe.httpGet.scheme ?? 'HTTP') !== 'HTTP') return { ok: false, message: 'HTTPS probes are not supported by the e2e harness' };
    return httpGet(host, port, probe.httpGet.path ?? '/', headers, timeout * 1000);
  }
  if (probe.tcpSocket) {
    const port = resolvePort(c, probe.tcpSocket.port);
    if (port === undefined) return { ok: false, message: `port ${probe.tcpSocket.port} not found in container ports` };
    return tcp(probe.tcpSocket.host ?? podIp, port, timeout * 1000);
  }
  if (probe.exec) {
    const r = await proc.exec(probe.exec.command ?? [], timeout);
    return r.code === 0 ? { ok: true, message: 'exit 0' } : { ok: false, message: `exec probe exit ${r.code}: ${r.output.trim().split('\n').pop() ?? ''}` };
  }
  return { ok: false, message: 'probe type not supported by the e2e harness' };
}
