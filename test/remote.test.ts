import test from 'ava';
import { defaultWorkdir, GitRunner, isRemoteUrl, redactUrl } from '../generator/repo/remote.js';

const TOKEN = 'ghp_unitTestToken0000000000000000';

test('remote URLs are told apart from paths', (t) => {
  for (const u of ['https://github.com/acme/gitops.git', 'ssh://git@github.com/acme/gitops.git', 'git@github.com:acme/gitops.git', 'file:///srv/gitops.git'])
    t.true(isRemoteUrl(u), u);
  for (const p of ['./gitops', '/srv/gitops', 'gitops', 'C:/x']) t.false(isRemoteUrl(p), p);
});

test('credentials in a URL never reach messages or the ArgoCD repoURL', (t) => {
  t.is(redactUrl(`https://x-access-token:${TOKEN}@github.com/acme/gitops.git`), 'https://github.com/acme/gitops.git');
  t.is(redactUrl('git@github.com:acme/gitops.git'), 'git@github.com:acme/gitops.git');
});

test('GITHUB_TOKEN travels to git only as an http.extraheader in GIT_CONFIG_* variables, for GitHub https remotes', (t) => {
  const gh = new GitRunner('https://github.com/acme/gitops.git', { token: TOKEN, hosts: ['github.com'] }, { PATH: '/usr/bin', GIT_CONFIG_COUNT: '9' });
  const env = gh.env();
  t.is(env.GIT_CONFIG_COUNT, '1', 'an inherited GIT_CONFIG_* set is replaced, not extended');
  t.is(env.GIT_CONFIG_KEY_0, 'http.https://github.com/.extraheader');
  t.is(env.GIT_CONFIG_VALUE_0, `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString('base64')}`);
  t.is(env.GIT_TERMINAL_PROMPT, '0');
  // Other hosts and protocols never see the token.
  for (const url of ['https://gitlab.example.com/acme/gitops.git', 'git@github.com:acme/gitops.git', 'file:///srv/gitops.git']) {
    const other = new GitRunner(url, { token: TOKEN, hosts: ['github.com'] }, { PATH: '/usr/bin' }).env();
    t.false(JSON.stringify(other).includes(Buffer.from(`x-access-token:${TOKEN}`).toString('base64')), url);
    t.is(other.GIT_CONFIG_COUNT, undefined, url);
  }
  t.is(gh.scrub(`fatal: could not read from https://user:${TOKEN}@github.com/acme/gitops.git (${TOKEN})`), 'fatal: could not read from https://github.com/acme/gitops.git (***)');
});

test('the working clone lives in the user cache, one folder per remote', (t) => {
  const a = defaultWorkdir('https://github.com/acme/gitops.git', { HOME: '/home/u' });
  const b = defaultWorkdir('https://github.com/acme/other.git', { HOME: '/home/u' });
  t.true(a.startsWith('/home/u/.cache/gen-gitops/repos/'));
  t.not(a, b);
  t.true(defaultWorkdir('https://github.com/acme/gitops.git', { XDG_CACHE_HOME: '/c' }).startsWith('/c/gen-gitops/repos/'));
});
