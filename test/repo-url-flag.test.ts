import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { git } from './helpers/git.js';
import { makeWorkspace, runCli, runIn } from './helpers/workspace.js';

const bad: [string, RegExp][] = [
  ['https://github.com/acme/{{cluster}}.git', /not a Git URL/],
  ['https://github.com/acme/x.git\nrepoURL: evil', /without spaces/],
  ['https://github.com/acme/my repo.git', /without spaces/],
  ['', /non-empty/],
  ['https://deploy:s3cretPassw0rd@github.com/acme/x.git', /credentials/],
  ['not a url', /without spaces/],
  ['acme/x', /not a Git URL/],
];

test('issue 14.6: --repo-url is validated like configRepo.url: exit 2 naming the flag, nothing written, no credentials printed', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  for (const [url, why] of bad) {
    const r = await runIn(ws, ['--env', 'stg', '--repo-url', url]);
    t.is(r.code, 2, `${JSON.stringify(url)}: ${r.stdout}${r.stderr}`);
    t.regex(r.stderr, /--repo-url: /);
    t.regex(r.stderr, why);
    t.regex(r.stderr, /hint: /);
    t.false(`${r.stdout}${r.stderr}`.includes('s3cretPassw0rd'));
    t.false(existsSync(ws.repo), 'no config repo written');
  }
  // The same URLs in configRepo.url are refused the same way, at their line.
  const defaults = ws.readEnv('defaults');
  ws.writeEnv('defaults', defaults.replace('url: https://github.com/example-org/mlflow-gitops.git', 'url: "https://github.com/acme/{{cluster}}.git"'));
  const inFile = await runIn(ws, ['--env', 'stg']);
  t.is(inFile.code, 2);
  t.regex(inFile.stderr, /environments\/defaults\.yaml:\d+:\d+: configRepo\.url: .*not a Git URL/);
  ws.writeEnv('defaults', defaults);

  // A valid one reaches every ApplicationSet as given.
  const ok = await runIn(ws, ['--env', 'stg', '--repo-url', 'git@github.com:acme/platform-config.git']);
  t.is(ok.code, 0, ok.stderr);
  t.regex(readFileSync(join(ws.repo, 'argocd', 'applicationset-environments-automated.yaml'), 'utf8'), /repoURL: git@github\.com:acme\/platform-config\.git/);
});

test('issue 14.6: a remote delivery refuses a bad --repo-url before touching the remote', async (t) => {
  const ws = makeWorkspace();
  t.teardown(ws.cleanup);
  const remote = join(ws.dir, 'remote.git');
  execFileSync('git', ['init', '--quiet', '--bare', '--initial-branch=main', remote]);
  const r = await runCli(['--env', 'stg', '--push', '--source', ws.source, '--repo', `file://${remote}`, '--workdir', join(ws.dir, 'w'), '--repo-url', 'https://x/{{.path}}']);
  t.is(r.code, 2, r.stderr);
  t.regex(r.stderr, /--repo-url: .*not a Git URL/);
  t.is(git(remote, 'for-each-ref').trim(), '');
  t.false(existsSync(join(ws.dir, 'w')), 'no working clone made');
});
