import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { LocalConfigRepo, type CommitFile } from '../generator/repo/git.js';
import { git } from './helpers/git.js';

const author = { name: 'Test Author', email: 'author@example.com' };

async function freshRepo(t: { teardown(fn: () => void): void }): Promise<LocalConfigRepo> {
  const dir = mkdtempSync(join(tmpdir(), 'gen-gitops-commit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return LocalConfigRepo.open(dir, { create: true });
}

/** Writes the files as the transaction does, then commits them. */
async function writeAndCommit(repo: LocalConfigRepo, files: CommitFile[], message = 'gen-gitops: test'): Promise<string | undefined> {
  for (const f of files) {
    const abs = join(repo.root, f.path);
    if (f.content === undefined) rmSync(abs, { force: true });
    else {
      mkdirSync(dirname(abs), { recursive: true });
      writeFileSync(abs, f.content);
    }
  }
  return (await repo.prepareCommit(files, message, author)).finish();
}

const looseObjects = (root: string) => Number(/^count: (\d+)$/m.exec(git(root, 'count-objects', '-v'))![1]);

test('a prepared commit writes a fleet-sized commit as one pack (no loose objects), exact contents, author, message, and a clean status', async (t) => {
  const repo = await freshRepo(t);
  const files = [
    { path: 'envs/a/manifests/deployment.yaml', content: 'kind: Deployment\n' },
    { path: 'envs/a/argocd.json', content: '{"env":"a"}\n' },
    { path: 'README.md', content: '# ünïcode — “quotes”\n' },
    // Past git's fastimport.unpackLimit (100 objects), below which it writes loose objects anyway.
    ...Array.from({ length: 120 }, (_, i) => ({ path: `envs/e${i}/manifests/configmap.yaml`, content: `n: ${i}\n` })),
  ];
  const sha = await writeAndCommit(repo, files, 'gen-gitops: render a\n\nbody line\n');
  t.regex(sha ?? '', /^[0-9a-f]{40}$/);
  t.is(git(repo.root, 'rev-parse', 'HEAD').trim(), sha!);
  t.is(looseObjects(repo.root), 0, 'blobs, trees and the commit went into a pack');
  for (const f of files) t.is(git(repo.root, 'show', `HEAD:${f.path}`), f.content);
  t.is(
    git(repo.root, 'log', '-1', '--format=%an <%ae>|%cn <%ce>|%B').trim(),
    'Test Author <author@example.com>|Test Author <author@example.com>|gen-gitops: render a\n\nbody line',
  );
  t.is(git(repo.root, 'status', '--porcelain'), '', 'index and working tree match the commit');
  t.is(git(repo.root, 'for-each-ref', 'refs/gen-gitops/'), '', 'the pending ref is gone');
  t.regex(git(repo.root, 'reflog', '-1', '--format=%gs'), /^commit: gen-gitops: render a/);
});

test("a prepared commit builds on HEAD: changes and deletions only touch the named paths; someone else's staged file stays staged", async (t) => {
  const repo = await freshRepo(t);
  const first = await writeAndCommit(repo, [
    { path: 'envs/a/x.yaml', content: 'x: 1\n' },
    { path: 'envs/a/y.yaml', content: 'y: 1\n' },
    { path: 'notes.txt', content: 'theirs\n' },
  ]);
  writeFileSync(join(repo.root, 'notes.txt'), 'theirs, edited and staged\n');
  git(repo.root, 'add', 'notes.txt');
  const second = await writeAndCommit(repo, [
    { path: 'envs/a/x.yaml', content: 'x: 2\n' },
    { path: 'envs/a/y.yaml', content: undefined },
    { path: 'path with space/"quoted"\\name.yaml', content: 'odd: true\n' },
  ]);
  t.not(second, first);
  t.is(git(repo.root, 'rev-parse', 'HEAD^').trim(), first!);
  t.deepEqual(git(repo.root, 'diff', '--name-only', '-z', 'HEAD^', 'HEAD').split('\0').filter(Boolean).sort(), [
    'envs/a/x.yaml',
    'envs/a/y.yaml',
    'path with space/"quoted"\\name.yaml',
  ]);
  t.is(git(repo.root, 'show', 'HEAD:envs/a/x.yaml'), 'x: 2\n');
  t.is(git(repo.root, 'show', 'HEAD:notes.txt'), 'theirs\n', 'the staged edit was not committed');
  t.is(git(repo.root, 'status', '--porcelain'), 'M  notes.txt\n', 'and it is still staged');
});

test('a prepared commit returns undefined and leaves HEAD when the files already match HEAD', async (t) => {
  const repo = await freshRepo(t);
  const sha = await writeAndCommit(repo, [{ path: 'a.yaml', content: 'a: 1\n' }]);
  writeFileSync(join(repo.root, 'a.yaml'), 'a: changed by hand\n');
  t.is(await writeAndCommit(repo, [{ path: 'a.yaml', content: 'a: 1\n' }]), undefined);
  t.is(git(repo.root, 'rev-parse', 'HEAD').trim(), sha!);
  t.is(git(repo.root, 'status', '--porcelain'), '');
});

test('a repo that filters content on add (.gitattributes) is committed with git commit, and still ends clean', async (t) => {
  const repo = await freshRepo(t);
  writeFileSync(join(repo.root, '.gitattributes'), '*.yaml text eol=lf\n');
  git(repo.root, 'add', '.gitattributes');
  git(repo.root, '-c', 'user.name=x', '-c', 'user.email=x@y', 'commit', '-qm', 'attributes');
  const sha = await writeAndCommit(repo, [{ path: 'envs/a/x.yaml', content: 'x: 1\n' }]);
  t.is(git(repo.root, 'rev-parse', 'HEAD').trim(), sha!);
  t.true(looseObjects(repo.root) > 0, 'git commit writes loose objects: proof the fallback ran');
  t.is(git(repo.root, 'show', 'HEAD:envs/a/x.yaml'), 'x: 1\n');
  t.is(git(repo.root, 'status', '--porcelain'), '');
});

test('a prepared commit that is aborted (the write failed) leaves HEAD, the index and the refs as they were', async (t) => {
  const repo = await freshRepo(t);
  const first = await writeAndCommit(repo, [{ path: 'a.yaml', content: 'a: 1\n' }]);
  const pending = await repo.prepareCommit(
    [
      { path: 'a.yaml', content: 'a: 2\n' },
      { path: 'b.yaml', content: 'b: 1\n' },
    ],
    'gen-gitops: never lands',
    author,
  );
  await pending.abort();
  t.is(git(repo.root, 'rev-parse', 'HEAD').trim(), first!);
  t.is(git(repo.root, 'for-each-ref', 'refs/gen-gitops/'), '');
  t.is(git(repo.root, 'status', '--porcelain'), '');
  t.false(existsSync(join(repo.root, '.git', 'gen-gitops', 'commit.fast-import')), 'the stream file is removed');
});

test('a prepared commit is built while the files are being written, and lands only on finish()', async (t) => {
  const repo = await freshRepo(t);
  const files = Array.from({ length: 50 }, (_, i) => ({ path: `envs/e${i}/manifests/a.yaml`, content: `i: ${i}\n` }));
  const pending = await repo.prepareCommit(files, 'gen-gitops: render', author);
  t.throws(() => git(repo.root, 'rev-parse', '--verify', '--quiet', 'HEAD'), undefined, 'no commit on HEAD before finish');
  for (const f of files) {
    mkdirSync(dirname(join(repo.root, f.path)), { recursive: true });
    writeFileSync(join(repo.root, f.path), f.content);
  }
  const sha = await pending.finish();
  t.is(git(repo.root, 'rev-parse', 'HEAD').trim(), sha!);
  t.is(git(repo.root, 'status', '--porcelain'), '');
  t.is(git(repo.root, 'show', 'HEAD:envs/e49/manifests/a.yaml'), 'i: 49\n');
});
