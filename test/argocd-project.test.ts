/**
 * The ArgoCD checks the preview relies on, against cases taken from the
 * upstream tests: gobwas/glob glob_test.go (e7a84e9), argo-cd
 * pkg/apis/application/v1alpha1/types_test.go (37ee009)
 * TestAppProject_IsSourcePermitted / IsNegatedSourcePermitted /
 * IsDestinationPermitted / IsNegatedDestinationPermitted, and the label
 * selector semantics of applicationset/utils/selector.go.
 */
import test from 'ava';
import { compileGlob, globMatchText } from '../generator/argocd/glob.js';
import { isDestinationPermitted, isGroupKindPermitted, isSourcePermitted, normalizeGitURL, type ProjectSpec } from '../generator/argocd/project.js';
import { flattenParameters, labelSelector } from '../generator/argocd/selector.js';

const globCases: [boolean, string, string, string?][] = [
  [true, '* ?at * eyes', 'my cat has very bright eyes'],
  [true, '', ''],
  [false, '', 'b'],
  [true, '*ä', 'åä'],
  [true, 'abc', 'abc'],
  [true, 'a*c', 'abc'],
  [true, 'a*c', 'a12345c'],
  [true, 'a?c', 'a1c'],
  [true, 'a.b', 'a.b', '.'],
  [true, 'a.*', 'a.b', '.'],
  [true, 'a.**', 'a.b.c', '.'],
  [true, 'a.?.c', 'a.b.c', '.'],
  [true, 'a.?.?', 'a.b.c', '.'],
  [true, '?at', 'cat'],
  [true, '*', 'abc'],
  [true, '\\*', '*'],
  [true, '**', 'a.b.c', '.'],
  [false, '?at', 'at'],
  [false, '?at', 'fat', 'f'],
  [false, 'a.*', 'a.b.c', '.'],
  [false, 'a.?.c', 'a.bb.c', '.'],
  [false, '*', 'a.b.c', '.'],
  [true, '*is*a*', 'this is a test'],
  [true, '**is**a***test*', 'this is a test'],
  [false, '*is', 'this is a test'],
  [true, '[!a]*', 'this is a test3'],
  [true, '?*?', 'ac'],
  [false, 'sta?n', 'stagnation'],
  [true, '{abc,def}ghi', 'defghi'],
  [true, '{abc,abcd}a', 'abcda'],
  [true, '{a,ab}{bc,f}', 'abc'],
  [true, '{*,**}{a,b}', 'ab'],
  [false, '{*,**}{a,b}', 'ac'],
  [true, '/{rate,[a-z][a-z][a-z]}*', '/usd'],
  [true, '/{rate,[0-9][0-9][0-9]}*', '/rate'],
  [true, '{*.google.*,*.yandex.*}', 'www.google.com', '.'],
  [false, '{*.google.*,*.yandex.*}', 'yandex.com', '.'],
  [true, '{*.google.*,yandex.*}', 'yandex.com', '.'],
  [false, '{*.google.*,yandex.*}', 'www.yandex.com', '.'],
  [true, '*//{,*.}example.com', 'https://www.example.com'],
  [true, '*//{,*.}example.com', 'http://example.com'],
  [false, '*//{,*.}example.com', 'http://example.com.net'],
];

test('gobwas glob: upstream cases', (t) => {
  for (const [want, pattern, text, seps] of globCases) {
    t.is(globMatchText(pattern, text, seps ?? ''), want, `${pattern} ~ ${text} (separators ${JSON.stringify(seps ?? '')})`);
  }
});

test('gobwas glob: malformed patterns do not compile (and so never match)', (t) => {
  for (const p of ['[', '[]', '[!]', '[a-', '[z-a]', 'a[bc']) t.is(compileGlob(p), null, p);
  // An unclosed `{` is closed at the end of the pattern, as gobwas does.
  t.true(globMatchText('{a,b', 'b'));
  t.true(globMatchText('a}', 'a}'));
});

const sourceCases: [string[], string, boolean][] = [
  [['*'], 'https://github.com/argoproj/test.git', true],
  [['https://github.com/argoproj/test.git'], 'https://github.com/argoproj/test.git', true],
  [['ssh://git@GITHUB.com:argoproj/test'], 'ssh://git@github.com:argoproj/test', true],
  [['https://github.com/argoproj/*'], 'https://github.com/argoproj/argoproj.git', true],
  [['https://github.com/test1/test.git', 'https://github.com/test2/test.git'], 'https://github.com/test2/test.git', true],
  [['https://github.com/argoproj/test1.git'], 'https://github.com/argoproj/test2.git', false],
  [['https://github.com/argoproj/*.git'], 'https://github.com/argoproj1/test2.git', false],
  [['https://github.com/argoproj/foo'], 'https://github.com/argoproj/foo1', false],
  [['https://gitlab.com/group/*'], 'https://gitlab.com/group/repo/owner', false],
  [['https://gitlab.com/group/*/*'], 'https://gitlab.com/group/repo/owner', true],
  [['https://gitlab.com/group/**'], 'https://gitlab.com/group/sub-group/repo/owner', true],
  [['!https://github.com/argoproj/test.git'], 'https://github.com/argoproj/test.git', false],
  [['!ssh://git@GITHUB.com:argoproj/test'], 'ssh://git@github.com:argoproj/test', false],
  [['https://github.com/test1/test.git', '!https://github.com/test2/test.git'], 'https://github.com/test2/test.git', false],
  [['!https://github.com/argoproj/foo*'], 'https://github.com/argoproj/foo1', false],
  [['https://github.com/argoproj/test1.git', '*'], 'https://github.com/argoproj/test2.git', true],
  [['!https://github.com/argoproj/*.git', '*'], 'https://github.com/argoproj1/test2.git', true],
];

test('AppProject source repos: upstream cases', (t) => {
  for (const [sourceRepos, url, want] of sourceCases) t.is(isSourcePermitted({ sourceRepos }, url), want, `${sourceRepos.join(' ')} ~ ${url}`);
});

test('git URL normalisation refuses what it cannot reproduce exactly', (t) => {
  t.is(normalizeGitURL(' https://GitHub.com/Org/Repo.git '), 'https://github.com/org/repo');
  t.is(normalizeGitURL('git@github.com:org/repo.git'), 'git@github.com/org/repo');
  t.throws(() => normalizeGitURL('https://example.com/a repo'), { message: /cannot normalise/ });
  t.throws(() => normalizeGitURL('https://example.com/repo?ref=x'), { message: /cannot normalise/ });
});

type Dest = { server?: string; namespace?: string; name?: string };
const destCases: [Dest[], Dest, boolean][] = [
  [[{ server: 'https://kubernetes.default.svc', namespace: 'default' }], { server: 'https://kubernetes.default.svc', namespace: 'default' }, true],
  [[{ server: 'https://kubernetes.default.svc', namespace: 'default' }], { server: 'https://kubernetes.default.svc', namespace: 'kube-system' }, false],
  [[{ server: 'https://my-cluster', namespace: 'default' }], { server: 'https://kubernetes.default.svc', namespace: 'default' }, false],
  [[{ server: 'https://kubernetes.default.svc', namespace: '*' }], { server: 'https://kubernetes.default.svc', namespace: 'kube-system' }, true],
  [[{ server: 'https://*.default.svc', namespace: 'default' }], { server: 'https://kubernetes.default.svc', namespace: 'default' }, true],
  [[{ server: 'https://team1-*', namespace: 'default' }], { server: 'https://test2-dev-cluster', namespace: 'default' }, false],
  [[{ server: 'https://kubernetes.default.svc', namespace: 'test-*' }], { server: 'https://kubernetes.default.svc', namespace: 'test-foo' }, true],
  [[{ server: 'https://kubernetes.default.svc', namespace: 'test-*' }], { server: 'https://kubernetes.default.svc', namespace: 'test' }, false],
  [[{ server: '*', namespace: '*' }], { server: 'https://kubernetes.default.svc', namespace: 'test' }, true],
  [[{ server: '', namespace: '*', name: 'test' }], { name: 'test', namespace: 'test' }, true],
  [[{ server: '', namespace: '*', name: 'test2' }], { name: 'test', namespace: 'test' }, false],
  [
    [
      { name: 'host-cluster', server: 'https://kubernetes.default.svc', namespace: '!{kube-system,argocd}' },
      { name: 'destination-cluster-01', server: 'https://eks-cluster-endpoint.ap-southeast-1.eks.amazonaws.com', namespace: '*' },
    ],
    { server: 'https://eks-cluster-endpoint.ap-southeast-1.eks.amazonaws.com', namespace: 'kube-system' },
    true,
  ],
  [[{ server: '!https://kubernetes.default.svc', namespace: 'default' }], { server: 'https://kubernetes.default.svc', namespace: 'default' }, false],
  [[{ server: 'https://kubernetes.default.svc', namespace: '!default' }], { server: 'https://kubernetes.default.svc', namespace: 'kube-system' }, true],
  [[{ server: '!https://my-cluster', namespace: 'default' }], { server: 'https://kubernetes.default.svc', namespace: 'default' }, true],
  [[{ server: '!https://*.default.svc', namespace: 'default' }], { server: 'https://kubernetes.default.svc', namespace: 'default' }, false],
  [[{ server: 'https://kubernetes.default.svc', namespace: '!test-*' }], { server: 'https://kubernetes.default.svc', namespace: 'test-foo' }, false],
  [[{ server: '', namespace: '*', name: '!test' }], { name: 'test', namespace: 'test' }, false],
  [[{ server: '', namespace: '*', name: '!test2' }], { name: 'test', namespace: 'test' }, true],
  [
    [
      { server: '*', namespace: 'kube-system' },
      { server: '*', namespace: '!kube-system' },
    ],
    { server: 'https://kubernetes.default.svc', namespace: 'kube-system' },
    false,
  ],
  [
    [
      { server: 'https://kubernetes.default.svc', namespace: '*' },
      { server: '!https://kubernetes.default.svc', namespace: '*' },
    ],
    { server: 'https://kubernetes.default.svc', namespace: 'kube-system' },
    false,
  ],
  [
    [
      { server: '*', namespace: '*' },
      { server: '!https://kubernetes.default.svc', namespace: 'kube-system' },
      { server: '*', namespace: '!kube-system' },
    ],
    { server: 'https://kubernetes.default.svc', namespace: 'default' },
    true,
  ],
  [
    [
      { server: '*', namespace: '*' },
      { server: '!https://kubernetes.default.svc', namespace: 'kube-system' },
      { server: '*', namespace: '!kube-system' },
    ],
    { server: 'https://test-dev-cluster', namespace: 'kube-system' },
    false,
  ],
  [
    [
      { server: '', namespace: '*', name: 'test' },
      { server: '', namespace: '*', name: '!test' },
    ],
    { name: 'test', namespace: 'test' },
    false,
  ],
  [
    [
      { server: '*', namespace: 'test' },
      { server: '!https://test-server', namespace: 'other' },
    ],
    { server: 'https://test-server', namespace: 'test' },
    true,
  ],
  [
    [
      { server: '*', namespace: '*' },
      { server: 'https://test-server', namespace: '!other' },
    ],
    { server: 'https://other-test-server', namespace: 'other' },
    true,
  ],
];

test('AppProject destinations: upstream cases (cluster name known)', (t) => {
  for (const [destinations, dst, want] of destCases) {
    const got = isDestinationPermitted({ destinations }, { server: dst.server ?? '', namespace: dst.namespace ?? '', name: dst.name ?? '' });
    t.is(got, want, `${JSON.stringify(dst)} in ${JSON.stringify(destinations)}`);
  }
});

test('AppProject destinations: an unknown cluster name is decided only when it cannot matter', (t) => {
  // No destination names a cluster: exact.
  t.true(
    isDestinationPermitted(
      { destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'mlflow-dev' }] },
      { server: 'https://kubernetes.default.svc', namespace: 'mlflow-dev' },
    ),
  );
  // The server matches: the name cannot change the answer.
  t.true(
    isDestinationPermitted(
      { destinations: [{ name: 'in-cluster', server: 'https://kubernetes.default.svc', namespace: '*' }] },
      { server: 'https://kubernetes.default.svc', namespace: 'x' },
    ),
  );
  // Only the name could match: refused rather than guessed.
  t.throws(() => isDestinationPermitted({ destinations: [{ name: 'prod', namespace: '*' }] }, { server: 'https://10.0.0.1', namespace: 'x' }), { message: /depends on the name/ });
  t.throws(() => isDestinationPermitted({ permitOnlyProjectScopedClusters: true, destinations: [] }, { server: 'https://kubernetes.default.svc', namespace: 'x' }), {
    message: /permitOnlyProjectScopedClusters/,
  });
});

test('AppProject resource kinds: nil namespaced whitelist allows all, empty allows none; cluster whitelist must list', (t) => {
  const p: ProjectSpec = { clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }], namespaceResourceWhitelist: [{ group: 'apps', kind: 'Deployment' }] };
  t.true(isGroupKindPermitted(p, { group: '', kind: 'Namespace' }, 'x', false));
  t.false(isGroupKindPermitted(p, { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' }, 'x', false));
  t.true(isGroupKindPermitted(p, { group: 'apps', kind: 'Deployment' }, 'x', true));
  t.false(isGroupKindPermitted(p, { group: '', kind: 'Secret' }, 'x', true));
  t.true(isGroupKindPermitted({}, { group: '', kind: 'Secret' }, 'x', true));
  t.false(isGroupKindPermitted({ namespaceResourceWhitelist: [] }, { group: '', kind: 'Secret' }, 'x', true));
  t.false(isGroupKindPermitted({}, { group: '', kind: 'Namespace' }, 'x', false));
  t.true(isGroupKindPermitted({ clusterResourceWhitelist: [{ group: '*', kind: '*' }] }, { group: '', kind: 'Namespace' }, 'x', false));
  t.false(isGroupKindPermitted({ clusterResourceWhitelist: [{ group: '', kind: 'Namespace', name: 'mlflow-*' }] }, { group: '', kind: 'Namespace' }, 'kube-system', false));
});

test('generator selector: matchLabels and matchExpressions over flattened parameters', (t) => {
  const params = { environment: 'prod', sync: 'manual', 'destination.server': 'https://kubernetes.default.svc' };
  t.true(labelSelector({ matchLabels: { sync: 'manual' } })(flattenParameters(params)));
  t.false(labelSelector({ matchLabels: { sync: 'automated' } })(flattenParameters(params)));
  t.true(labelSelector({})(params));
  t.false(labelSelector(null)(params));
  t.true(labelSelector({ matchExpressions: [{ key: 'sync', operator: 'NotIn', values: ['automated'] }] })(params));
  t.true(labelSelector({ matchExpressions: [{ key: 'missing', operator: 'NotIn', values: ['x'] }] })(params));
  t.true(labelSelector({ matchExpressions: [{ key: 'destination.server', operator: 'In', values: ['https://kubernetes.default.svc'] }] })(params));
  t.false(labelSelector({ matchExpressions: [{ key: 'sync', operator: 'DoesNotExist' }] })(params));
  t.throws(() => labelSelector({ matchExpressions: [{ key: 'sync', operator: 'In', values: [] }] }), { message: /error parsing label selector/ });
  t.throws(() => labelSelector({ matchExpressions: [{ key: 'sync', operator: 'Gt', values: ['1'] }] }), { message: /not a valid pod selector operator/ });
  t.throws(() => labelSelector({ matchLabels: { 'bad key!': 'x' } }), { message: /error parsing label selector/ });
  // goTemplate parameters are nested: the selector sees them flattened, every leaf as %v.
  t.deepEqual(flattenParameters({ a: { b: 1, c: [true, 'x'], d: {} }, e: null }), { 'a.b': '1', 'a.c.0': 'true', 'a.c.1': 'x', e: '<nil>' });
});
