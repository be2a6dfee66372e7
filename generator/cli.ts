import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode, InputError, UsageError, UserError } from './errors.js';
import { parseMode, parsePromoteMode } from './pipeline/mode.js';
import { packageVersion } from './paths.js';
import { formatGenerateResult, formatWarnings } from './report.js';
import { timingLines } from './timing.js';
import { parseAuthor } from './repo/git.js';
import { isRemoteUrl, redactUrl } from './repo/remote.js';
import { claimWorkdir } from './repo/workdir-owner.js';
import { checkConfigRepoPath } from './repo/config-path.js';
import { SourceLayout } from './repo/layout.js';
import { checkRepoUrlFlag, listEnvironmentNames } from './environment/load.js';
import { readSecretFiles } from './secrets/files.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  environ: Record<string, string | undefined>;
  cwd: string;
}

const processIo: CliIo = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  environ: process.env,
  cwd: process.cwd(),
};

const collect = (v: string, prev: string[]) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

interface CommonOptions {
  source: string;
  debug?: boolean;
}

/** Flags of every command that delivers a render to a config repo (the main command and promote). */
interface DeliveryFlags extends CommonOptions {
  repo: string;
  dryRun?: boolean;
  author?: string;
  push?: boolean;
  pr?: boolean;
  workdir?: string;
  githubRepo?: string;
  githubApiUrl?: string;
  insecureApi?: boolean;
  secretFile: string[];
}

interface GenerateFlags extends DeliveryFlags {
  env: string[];
  all?: boolean;
  diff?: boolean;
  check?: boolean;
  force?: boolean;
  lockTimeout: string;
  /** false with --no-cache. */
  cache?: boolean;
  reseal?: boolean;
  sealedSecretsCert?: string;
  repoUrl?: string;
}

/** Parses arguments, runs, prints, and maps errors to exit codes; nothing else lives here. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const debug = argv.includes('--debug');
  let exitCode: number = ExitCode.ok;
  const program = new Command('gen-gitops')
    .description('Render MLflow + PostgreSQL + MinIO per environment into a GitOps config repo for ArgoCD.')
    .version(packageVersion, '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError('(run gen-gitops --help for usage)')
    // Subcommands own their options: `validate --source x` must not be taken by the main command.
    .enablePositionalOptions();

  const common = (c: Command) => c.option('--source <dir>', 'source repository holding environments/', '.').option('--debug', 'print stack traces of unexpected errors');

  common(program)
    .option('-e, --env <name>', 'environment to render (repeatable, or comma-separated)', collect, [] as string[])
    .option('--all', 'render every environment')
    .option('--repo <path|url>', 'config repository: a local working tree (created and git-initialised if missing) or a remote URL', './gitops')
    .option('--dry-run', 'print what would change; write and commit nothing')
    .option('--diff', 'with the plan, print a unified diff of every changed file')
    .addOption(new Option('--check', 'exit 3 when the config repo is not up to date; write nothing (for CI)'))
    .option('--author <author>', 'commit author, "Name <email>" (default: git config user.*, else gen-gitops)')
    .option('--secret-file <name=path>', 'read a credential from a file, e.g. stg.postgresPassword=./pg.txt (repeatable)', collect, [] as string[])
    .option('--reseal', 'sealed-secrets: encrypt every value again (needs the values: see README "Secrets")')
    .option('--sealed-secrets-cert <file>', 'sealed-secrets: controller certificate (overrides the environment files)')
    .option('--force', "overwrite uncommitted changes inside gen-gitops's own folders of the config repo")
    .option('--lock-timeout <seconds>', 'how long to wait for another run on the same config repo', '30')
    .option('--no-cache', "render and parse every environment, ignoring what earlier runs remembered in the config repo's .git/gen-gitops")
    .option('--repo-url <url>', 'URL ArgoCD pulls the config repo from (default: the remote --repo, else configRepo.url in defaults.yaml)')
    .option('--push', 'remote --repo only: commit on the default branch and push (refused for production)')
    .option('--pr', 'remote --repo only: push a gen-gitops/<env> branch and open or update a GitHub pull request')
    .option('--workdir <dir>', 'remote --repo only: where the working clone lives (default: under ~/.cache/gen-gitops)')
    .option('--github-repo <owner/name>', 'GitHub repository for --pr (default: from the remote URL)')
    .option('--github-api-url <url>', 'GitHub API URL for --pr, e.g. https://github.example.com/api/v3 (default: $GITHUB_API_URL or api.github.com)')
    .option('--insecure-api', 'allow a plain-http --github-api-url that is not on this machine (sends GITHUB_TOKEN unencrypted)')
    .action(async (o: GenerateFlags) => {
      const remote = isRemoteUrl(o.repo);
      // One mode for the whole run (check | dry-run | commit | push | pr); flags that conflict stop here.
      const mode = parseMode(o, remote ? redactUrl(o.repo) : undefined);
      if (remote) {
        const { deliver } = await import('./deliver.js');
        checkRepoUrlFlag(o.repoUrl ?? redactUrl(o.repo), o.repoUrl !== undefined ? '--repo-url' : '--repo');
        const result = await deliver({
          source: resolve(io.cwd, o.source),
          remote: o.repo,
          workdir: ownWorkdir(o.workdir, io.cwd),
          envs: o.env,
          all: o.all === true,
          mode: mode === 'commit' ? 'push' : mode,
          diff: o.diff === true,
          author: o.author ? parseAuthor(o.author) : undefined,
          githubRepo: o.githubRepo,
          githubApiUrl: o.githubApiUrl,
          insecureApi: o.insecureApi === true,
          ...secretInputs(o, io),
          repoUrl: o.repoUrl ?? redactUrl(o.repo),
          lockTimeoutMs: seconds(o.lockTimeout, '--lock-timeout') * 1000,
          cache: o.cache !== false,
        });
        for (const w of formatWarnings(result.warnings)) io.err(w);
        for (const l of formatGenerateResult(result, { dryRun: mode === 'dry-run' || mode === 'check' })) io.out(l);
        if (result.status === 'out-of-date') exitCode = ExitCode.outOfDate;
        return;
      }
      if (o.repoUrl !== undefined) checkRepoUrlFlag(o.repoUrl, '--repo-url');
      checkConfigRepoPath(o.repo, resolve(io.cwd, o.repo), resolve(io.cwd, o.source));
      const { generate } = await import('./run.js');
      const result = await generate({
        source: resolve(io.cwd, o.source),
        repo: resolve(io.cwd, o.repo),
        envs: o.env,
        all: o.all === true,
        mode: mode === 'push' || mode === 'pr' ? 'commit' : mode,
        diff: o.diff === true,
        author: o.author ? parseAuthor(o.author) : undefined,
        ...secretInputs(o, io),
        repoUrl: o.repoUrl,
        force: o.force === true,
        lockTimeoutMs: seconds(o.lockTimeout, '--lock-timeout') * 1000,
        cache: o.cache !== false,
      });
      for (const w of formatWarnings(result.warnings)) io.err(w);
      for (const l of formatGenerateResult(result, { dryRun: mode === 'dry-run' || mode === 'check' })) io.out(l);
      if (result.status === 'out-of-date') exitCode = ExitCode.outOfDate;
    });

  common(program.command('validate'))
    .description('validate every environment file and the manifests they render; write nothing')
    .option('--sealed-secrets-cert <file>', 'sealed-secrets: controller certificate (overrides the environment files)')
    .action(async (o: CommonOptions & { sealedSecretsCert?: string }) => {
      const { loadInput } = await import('./pipeline/input.js');
      const { renderChecked } = await import('./pipeline/render.js');
      const { ConfigRepoSnapshot } = await import('./pipeline/snapshot.js');
      const sealedSecretsCert = o.sealedSecretsCert ? resolve(io.cwd, o.sealedSecretsCert) : undefined;
      const input = loadInput(resolve(io.cwd, o.source), [], true, undefined, { sealedSecretsCert });
      const result = await renderChecked(input, ConfigRepoSnapshot.empty(), { environ: {}, sealedSecretsCert });
      for (const w of formatWarnings(input.warnings)) io.err(w);
      io.out(`ok: ${input.selected.length} environments (${input.selected.join(', ')}), ${result.objects.length} objects valid against their Kubernetes schemas`);
    });

  common(program.command('preview'))
    .description('print the ArgoCD Applications the ApplicationSets in the config repo will generate (offline, from the working tree)')
    .option('-e, --env <name>', 'only the Application of this environment')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .option('--repo <path>', 'config repository working tree', './gitops')
    .option('--new-globbing', 'evaluate file patterns like ArgoCD with applicationsetcontroller.enable.new.git.file.globbing=true')
    .action(async (o: CommonOptions & { env?: string; output: 'yaml' | 'json'; repo: string; newGlobbing?: boolean }) => {
      const { previewApplications, formatPreview } = await import('./argocd/preview.js');
      const root = resolve(io.cwd, o.repo);
      if (!existsSync(root)) throw new UsageError(`no config repo at ${root}; render one first (gen-gitops --all --repo ${o.repo})`);
      const result = previewApplications({ repoRoot: root, env: o.env, newGlobbing: o.newGlobbing === true });
      if (o.env && result.applications.length === 0 && result.errors.length === 0) throw new UsageError(`no Application for environment '${o.env}' in ${root}`);
      io.out(formatPreview(result.applications, o.output).trimEnd());
      for (const e of result.errors) io.err(`error: ${e}`);
      for (const w of result.warnings) io.err(`warning: ${w}`);
      if (result.errors.length > 0) exitCode = ExitCode.invalidInput;
    });

  common(program.command('promote'))
    .description('copy the promotable settings (component images) from one stage to the next, render the target and deliver it')
    .requiredOption('--from <env>', 'source environment')
    .requiredOption('--to <env>', 'target environment (the next stage)')
    .option('--skip-stage', 'allow skipping a stage (e.g. dev → prod)')
    .option('--dry-run', 'print the changes; write nothing')
    .option('--repo <path|url>', 'config repository (local path or remote URL)', './gitops')
    .option('--push', 'remote --repo: push to the default branch (refused for production)')
    .option('--pr', 'remote --repo: open or update a pull request (default for production targets)')
    .option('--workdir <dir>', 'remote --repo: working clone folder')
    .option('--github-repo <owner/name>', 'GitHub repository for --pr')
    .option('--github-api-url <url>', 'GitHub API URL for --pr')
    .option('--insecure-api', 'allow a plain-http --github-api-url that is not on this machine')
    .option('--author <author>', 'commit author, "Name <email>"')
    .option('--secret-file <name=path>', 'read a credential from a file (repeatable)', collect, [] as string[])
    .action(
      async (
        o: DeliveryFlags & {
          from: string;
          to: string;
          skipStage?: boolean;
        },
      ) => {
        if (!isRemoteUrl(o.repo)) checkConfigRepoPath(o.repo, resolve(io.cwd, o.repo), resolve(io.cwd, o.source));
        const { promote } = await import('./promote.js');
        const { createTwoFilesPatch } = await import('diff');
        const result = await promote({
          source: resolve(io.cwd, o.source),
          from: o.from,
          to: o.to,
          skipStage: o.skipStage === true,
          mode: parsePromoteMode(o, isRemoteUrl(o.repo) ? redactUrl(o.repo) : undefined),
          repo: isRemoteUrl(o.repo) ? o.repo : resolve(io.cwd, o.repo),
          workdir: isRemoteUrl(o.repo) ? ownWorkdir(o.workdir, io.cwd) : undefined,
          githubRepo: o.githubRepo,
          githubApiUrl: o.githubApiUrl,
          insecureApi: o.insecureApi === true,
          author: o.author ? parseAuthor(o.author) : undefined,
          ...secretInputs(o, io),
        });
        if (result.status === 'up-to-date') {
          io.out(`${o.to}: already up to date with ${o.from} (nothing to promote)`);
          return;
        }
        io.out(`promote ${o.from} → ${o.to}:`);
        for (const s of result.settings) io.out(`  ${s.field}: ${s.from} → ${s.to}`);
        if (result.status === 'planned') {
          io.out(
            createTwoFilesPatch(`a/${SourceLayout.envFile(o.to)}`, `b/${SourceLayout.envFile(o.to)}`, result.before, result.after)
              .split('\n')
              .filter((l) => !l.startsWith('===='))
              .join('\n'),
          );
          io.out('(dry run: nothing written)');
          return;
        }
        io.out(`edited ${SourceLayout.envFile(o.to)} (commit it in this repository)`);
        if (result.delivery) for (const l of formatGenerateResult(result.delivery, { dryRun: false })) io.out(l);
      },
    );

  program
    .command('init')
    .description('start a platform source repository in an empty folder: environments/, README.md, .gitignore and a GitHub Actions workflow')
    .argument('[dir]', 'folder to create it in', '.')
    .option('--force', 'add the files that are missing to a folder that is not empty; existing files are left as they are')
    .option('--debug', 'print stack traces of unexpected errors')
    .action(async (dir: string, o: { force?: boolean }) => {
      const { initProject, initReport } = await import('./init.js');
      for (const l of initReport(initProject(resolve(io.cwd, dir), { force: o.force === true }))) io.out(l);
    });

  common(program.command('secrets'))
    .description('print ready-to-apply Secret manifests (random strong values) for an environment using the existing provider; never written to the config repo')
    .requiredOption('-e, --env <name>', 'environment')
    .option('--secret-file <name=path>', 'read a credential from a file (repeatable)', collect, [] as string[])
    .action(async (o: CommonOptions & { env: string; secretFile: string[] }) => {
      const { loadInput, specNamed } = await import('./pipeline/input.js');
      const { secretsCommand } = await import('./secrets/command.js');
      const input = loadInput(resolve(io.cwd, o.source), [o.env], false);
      io.out(secretsCommand({ spec: specNamed(input, o.env), environ: secretInputs(o, io).environ }).trimEnd());
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (e) {
    return reportError(e, io, debug);
  } finally {
    for (const l of timingLines()) io.err(l);
  }
}

/** Credentials from --secret-file override the process environment; sealing options pass through. */
function secretInputs(o: { secretFile?: string[]; reseal?: boolean; sealedSecretsCert?: string; source: string }, io: CliIo) {
  const files =
    o.secretFile && o.secretFile.length > 0
      ? readSecretFiles(
          o.secretFile.map((f) => resolveSecretFileArg(f, io.cwd)),
          { knownEnvs: listEnvironmentNames(resolve(io.cwd, o.source, SourceLayout.environmentsDir)) },
        )
      : {};
  return {
    environ: { ...io.environ, ...files },
    reseal: o.reseal === true,
    sealedSecretsCert: o.sealedSecretsCert ? resolve(io.cwd, o.sealedSecretsCert) : undefined,
  };
}

/** --workdir, resolved and checked to be gen-gitops's own folder before anything resets it. */
function ownWorkdir(workdir: string | undefined, cwd: string): string | undefined {
  if (workdir === undefined) return undefined;
  if (workdir.trim() === '') throw new UsageError('--workdir is empty; name a new or empty folder, or leave --workdir out');
  const dir = resolve(cwd, workdir);
  claimWorkdir(dir, false);
  return dir;
}

function resolveSecretFileArg(arg: string, cwd: string): string {
  const eq = arg.indexOf('=');
  return eq > 0 ? `${arg.slice(0, eq)}=${resolve(cwd, arg.slice(eq + 1))}` : arg;
}

function seconds(v: string, flag: string): number {
  // Number('') and Number('  ') are 0: an empty value (an unset variable) must not mean "do not wait".
  const n = v.trim() === '' ? NaN : Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 3600) throw new UsageError(`${flag} must be a number of seconds from 0 to 3600, got "${v}"`);
  return n;
}

function reportError(e: unknown, io: CliIo, debug: boolean): number {
  if (e instanceof CommanderError) {
    // --help and --version end here too, successfully.
    if (e.exitCode === 0) return ExitCode.ok;
    return ExitCode.invalidInput;
  }
  if (e instanceof UserError) {
    io.err(`gen-gitops: ${e instanceof InputError ? '' : 'error: '}${e.message}`);
    if (debug && e.stack) io.err(e.stack);
    return e.exitCode;
  }
  const err = e as Error;
  io.err(`gen-gitops: unexpected error: ${err?.message ?? String(e)}${debug ? '' : ' (run with --debug for details)'}`);
  if (debug && err?.stack) io.err(err.stack);
  return ExitCode.failure;
}
