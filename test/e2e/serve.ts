/**
 * `npm run e2e -- --source <dir> --env <name> --serve`: once the environment
 * passed its checks, keep it running and say where it is. The cluster lives in
 * a private network namespace, so its NodePort and S3 endpoint are bridged out
 * through unix sockets to 127.0.0.1 (the NodePort keeps its number, so MLflow's
 * allowed Host `localhost:<nodePort>` holds). Credentials go to 0600 files,
 * never to the output.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';

export interface ServeTarget {
  readonly dir: string;
  readonly nodePort: number;
  readonly s3Endpoint: string;
  readonly bucket: string;
  readonly username: string;
  readonly password: string;
  readonly s3AccessKey: string;
  readonly s3SecretKey: string;
}

/** The unix sockets inside.ts forwards, and where they lead inside the namespace. */
export function serveSockets(t: ServeTarget): { socket: string; host: string; port: number }[] {
  const s3 = new URL(t.s3Endpoint);
  return [
    { socket: join(t.dir, 'mlflow.sock'), host: '127.0.0.1', port: t.nodePort },
    { socket: join(t.dir, 's3.sock'), host: s3.hostname, port: Number(s3.port || (s3.protocol === 'https:' ? 443 : 80)) },
  ];
}

function listen(port: number, socket: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((client) => {
      const upstream = connect(socket);
      client.pipe(upstream).pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close);
      upstream.on('error', close);
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Wait until the cluster side serves (or ends), print the JSON line, then serve until SIGTERM/SIGINT. */
export async function serve(t: ServeTarget, servingFlag: string, ended: Promise<number>, stopInside: () => void): Promise<void> {
  let over = false;
  void ended.then(() => {
    over = true;
  });
  while (!existsSync(servingFlag) && !over) await new Promise((r) => setTimeout(r, 200));
  if (over) return;
  const [mlflow, s3] = serveSockets(t);
  const servers = [await listen(t.nodePort, mlflow!.socket), await listen(0, s3!.socket)];
  const s3Port = (servers[1]!.address() as { port: number }).port;
  const file = (name: string, value: string) => {
    const path = join(t.dir, name);
    writeFileSync(path, value, { mode: 0o600 });
    return path;
  };
  process.stdout.write(
    `${JSON.stringify({
      tracking_uri: `http://localhost:${t.nodePort}`,
      username: t.username,
      password_file: file('password', t.password),
      s3_endpoint: `http://127.0.0.1:${s3Port}`,
      s3_access_key_file: file('s3-access-key', t.s3AccessKey),
      s3_secret_key_file: file('s3-secret-key', t.s3SecretKey),
      bucket: t.bucket,
    })}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
    void ended.then(() => resolve());
  });
  for (const s of servers) s.close();
  stopInside();
  await ended;
}
