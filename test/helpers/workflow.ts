/**
 * Checks of the GitHub Actions workflow `gen-gitops init` writes: valid
 * YAML with the shape Actions needs, and every gen-gitops command in its
 * steps a command (and options) the CLI has, asked from the CLI's own help.
 */
import { parse } from 'yaml';

export interface WorkflowStep {
  name?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}

export interface Workflow {
  name: string;
  on: Record<string, unknown>;
  jobs: Record<string, { if?: string; 'runs-on': string; steps: WorkflowStep[] }>;
}

/** Parses the workflow strictly (duplicate keys, YAML errors throw) and checks the shape Actions requires. */
export function parseWorkflow(text: string): Workflow {
  const wf = parse(text, { uniqueKeys: true, strict: true }) as Workflow;
  if (!wf || typeof wf !== 'object') throw new Error('the workflow is not a mapping');
  if (typeof wf.name !== 'string') throw new Error('the workflow has no name');
  if (!wf.on || typeof wf.on !== 'object') throw new Error('the workflow has no triggers (on:)');
  if (!wf.jobs || Object.keys(wf.jobs).length === 0) throw new Error('the workflow has no jobs');
  for (const [id, job] of Object.entries(wf.jobs)) {
    if (typeof job['runs-on'] !== 'string') throw new Error(`job ${id} has no runs-on`);
    if (!Array.isArray(job.steps) || job.steps.length === 0) throw new Error(`job ${id} has no steps`);
    for (const s of job.steps) {
      if ((s.uses === undefined) === (s.run === undefined)) throw new Error(`a step of job ${id} must have exactly one of uses and run: ${JSON.stringify(s)}`);
      if (s.uses !== undefined && !/^[\w.-]+\/[\w.-]+@v\d+$/.test(s.uses)) throw new Error(`step uses ${s.uses}: not an action pinned to a major version`);
    }
  }
  return wf;
}

/** Splits a command line the way a shell does for the simple words used here (quotes removed). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

export interface Invocation {
  /** '' for the main command. */
  command: string;
  options: string[];
  line: string;
}

const SUBCOMMANDS = ['validate', 'preview', 'promote', 'secrets', 'init'];

/** Every `npx gen-gitops …` in the workflow's run scripts, up to the end of its pipeline stage. */
export function genGitopsInvocations(wf: Workflow): Invocation[] {
  const out: Invocation[] = [];
  for (const job of Object.values(wf.jobs)) {
    for (const step of job.steps) {
      for (const m of (step.run ?? '').matchAll(/npx gen-gitops([^|;&\n]*)/g)) {
        const args = words(m[1]!);
        const command = args[0] && SUBCOMMANDS.includes(args[0]) ? args[0] : '';
        out.push({ command, options: args.filter((a) => a.startsWith('--')).map((a) => a.split('=')[0]!), line: m[0]! });
      }
    }
  }
  return out;
}

/** Options an invocation uses that its command's --help does not list. */
export function unknownOptions(inv: Invocation, help: string): string[] {
  return inv.options.filter((o) => !new RegExp(`(^|[\\s,])${o.replace(/[-]/g, '\\-')}(\\s|$|[ ,<\\[])`, 'm').test(help));
}
