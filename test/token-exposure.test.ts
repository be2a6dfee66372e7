import test from 'ava';
import { execFileSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { GitRunner, redactUrl } from '../generator/repo/remote.js';
import { startFakeGitHub } from './helpers/fake-github.js';
import { git } from './helpers/git.js';
import { makeWorkspace, runCli } from './helpers/workspace.js';

const PW = 'Pa55wordXYZ';
const TOKEN = 'ghp_tokenExposureTest0123456789';

test('issue 14.22: credentials inside a remote URL are never printed, also for URLs that do not parse', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  // A port nothing listens on: every run fails on the network, after the URL was parsed, shown and used.
  const urls = [
    `https://deploy:${PW}@127.0.0.1:9/acme/config.git`,
    `https://deploy:p@${PW}@127.0.0.1:9/acme/config.git`,
    `https://deploy:a/${PW}@127.0.0.1:9/acme/config.git`,
    `https://deploy:a?${PW}@127.0.0.1:9/acme/config.git`,
    `https://deploy:${PW}@[::1/acme/config.git`,
    `https://deploy:${PW}@127.0.0.1:99999/acme/config.git`,
    `https://deploy:${PW.slice(0, 4)}%40${PW.slice(4)}@127.0.0.1:9/acme/config.git`,
    `https://${TOKEN}@127.0.0.1:9/acme/config.git`,
  ];
  for (const url of urls) {
    for (const mode of [['--push'], ['--dry-run']]) {
      const r = await runCli(['--env', 'stg', ...mode, '--source', ws.source, '--repo', url, '--workdir', join(ws.dir, 'w'), '--debug']);
      const out = `${r.stdout}\n${r.stderr}`;
      t.not(r.code, 0, url);
      for (const secret of [PW, PW.slice(4), TOKEN, `${PW.slice(0, 4)}%40`]) t.false(out.includes(secret), `${url} ${mode.join(' ')}: ${out}`);
    }
  }
  // --github-api-url (and GITHUB_API_URL) with credentials: refused without showing them.
  const remote = join(ws.dir, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  for (const api of [`https://u:${PW}@ghe.example.com/api/v3`, `https://u:${PW}@ghe example/api/v3`, `https://u:a/${PW}@ghe.example.com/api/v3`]) {
    const r = await runCli(['--env', 'stg', '--pr', '--source', ws.source, '--repo', `file://${remote}`, '--github-repo', 'acme/config', '--github-api-url', api], {
      env: { GITHUB_TOKEN: TOKEN },
    });
    t.is(r.code, 2, api);
    t.false(`${r.stdout}${r.stderr}`.includes(PW), r.stderr);
    t.false(`${r.stdout}${r.stderr}`.includes(TOKEN));
  }
});

test("issue 14.22: redactUrl and git message scrubbing take the authority's last @ and passwords holding / ? #", (t) => {
  t.is(redactUrl(`https://u:p@${PW}@github.com/a/b.git`), 'https://github.com/a/b.git');
  t.is(redactUrl(`https://u:a/${PW}@github.com/a/b.git`), 'https://github.com/a/b.git');
  t.is(redactUrl('https://github.com/a/b@v2.git'), 'https://github.com/a/b@v2.git', 'an @ in the path is not userinfo');
  t.is(redactUrl('ssh://git@github.com/a/b.git'), 'ssh://git@github.com/a/b.git', 'an ssh user name is no secret (ArgoCD needs it)');
  t.is(redactUrl(`ssh://git:${PW}@github.com/a/b.git`), 'ssh://github.com/a/b.git');
  t.is(redactUrl(`https://${TOKEN}@github.com/a/b.git`), 'https://github.com/a/b.git', 'over https a lone user name may be a token');
  t.is(redactUrl('git@github.com:a/b.git'), 'git@github.com:a/b.git');
  const runner = new GitRunner(`https://u:a/${PW}@github.com/a/b.git`, { hosts: [] }, {});
  t.is(
    runner.scrub(`fatal: could not read a/${PW} from 'https://u:a/${PW}@github.com/a/b.git' or ${encodeURIComponent(`a/${PW}`)}`),
    `fatal: could not read *** from 'https://github.com/a/b.git' or ***`,
  );
});

function nonLoopbackAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return undefined;
}

test('issue 14.23: the token is never sent to a plain-http API URL off this machine without --insecure-api', async (t) => {
  const address = nonLoopbackAddress();
  if (!address) {
    t.fail('this test needs a non-loopback IPv4 address to serve the stand-in GitHub on');
    return;
  }
  const ws = makeWorkspace();
  const gh = await startFakeGitHub({ token: TOKEN, listenHost: '0.0.0.0' });
  t.teardown(async () => {
    await gh.close();
    ws.cleanup();
  });
  const remote = join(ws.dir, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  const api = gh.url.replace('127.0.0.1', address);
  const run = (extra: string[], env: Record<string, string> = {}) =>
    runCli(['--env', 'stg', '--pr', '--source', ws.source, '--repo', `file://${remote}`, '--workdir', join(ws.dir, 'w'), '--github-repo', 'acme/config', ...extra], {
      env: { GITHUB_TOKEN: TOKEN, ...env },
    });

  for (const [extra, env] of [
    [['--github-api-url', api], {}],
    [[], { GITHUB_API_URL: api }],
  ] as [string[], Record<string, string>][]) {
    const r = await run(extra, env);
    t.is(r.code, 2, r.stdout + r.stderr);
    t.regex(r.stderr, /plain http: GITHUB_TOKEN would cross the network unencrypted/);
    t.regex(r.stderr, /--insecure-api/);
    t.is(gh.requests.length, 0, 'not one request reached the API');
    t.is(git(remote, 'for-each-ref').trim(), '', 'nothing pushed');
  }
  // Said explicitly: it works.
  const ok = await run(['--github-api-url', api, '--insecure-api']);
  t.is(ok.code, 0, ok.stderr);
  t.regex(ok.stdout, /pull request #1 opened/);
  // Loopback http needs no flag (the stand-in on 127.0.0.1).
  ws.writeEnv('stg', ws.readEnv('stg').replace('nodePort: 30501', 'nodePort: 30511'));
  const local = await run(['--github-api-url', gh.url]);
  t.is(local.code, 0, local.stderr);
});
