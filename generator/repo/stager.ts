import { Worker } from 'node:worker_threads';
import { join } from 'node:path';

/**
 * Writes files into a transaction's staging folder on another thread while
 * this one keeps rendering: creating thousands of small files is system
 * calls and disk, rendering is CPU, so a fleet's write and render overlap
 * instead of adding up. Only the staging folder is written; the working
 * tree changes in the transaction's swap, as before.
 */
export interface BackgroundStager {
  /** Queues files (config-repo path → content) to be written under the staging folder. */
  stage(files: Iterable<[string, string]>): void;
  /** Waits for every queued write; resolves to what was written (path → content), or rejects with the first error. */
  finish(): Promise<Map<string, string>>;
  /** Stops writing (what was written stays for the caller to remove). */
  abort(): Promise<void>;
}

// Plain CommonJS evaluated in the worker: no module resolution, no TypeScript loader needed.
const WORKER = `
const { parentPort } = require('node:worker_threads');
const { mkdirSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');
const made = new Set();
let failed = false;
parentPort.on('message', (m) => {
  if (m === 'finish') return parentPort.postMessage({ done: true });
  if (failed) return;
  try {
    for (const [file, text] of m) {
      const dir = dirname(file);
      if (!made.has(dir)) {
        mkdirSync(dir, { recursive: true });
        made.add(dir);
      }
      writeFileSync(file, text);
    }
  } catch (e) {
    failed = true;
    parentPort.postMessage({ error: (e && e.message) || String(e) });
  }
});
`;

/** `toDisk`: the text as written into the working tree (line ends, see tree.ts workingTreeText). */
export function startBackgroundStager(stagingDir: string, toDisk: (text: string) => string = (t) => t): BackgroundStager {
  const worker = new Worker(WORKER, { eval: true });
  // Only a caller waiting in finish() keeps the process alive for the worker: a run that fails
  // elsewhere and forgets it must still exit (it used to hang after "unexpected error").
  worker.unref();
  const written = new Map<string, string>();
  let error: string | undefined;
  let finished: (() => void) | undefined;
  let crashed: ((e: Error) => void) | undefined;
  worker.on('message', (m: { done?: true; error?: string }) => {
    if (m.error !== undefined) error ??= m.error;
    if (m.done) finished?.();
  });
  worker.on('error', (e) => crashed?.(e));
  return {
    stage(files) {
      const batch: [string, string][] = [];
      for (const [path, text] of files) {
        batch.push([join(stagingDir, path), toDisk(text)]);
        written.set(path, text);
      }
      if (batch.length > 0) worker.postMessage(batch);
    },
    async finish() {
      try {
        worker.ref();
        await new Promise<void>((done, fail) => {
          finished = done;
          crashed = fail;
          worker.postMessage('finish');
        });
      } finally {
        await worker.terminate();
      }
      if (error !== undefined) throw new Error(`writing the staged files failed: ${error}`);
      return written;
    },
    async abort() {
      await worker.terminate();
    },
  };
}
