// Where a trained artefact came from: the exact command line, the git commit and the machine,
// stored in its model.json by `train` and `train-classifier`.
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `npm run cli -- <command> <args>`, each argument shell-quoted where needed. */
export function commandLine(command: string, argv: readonly string[]): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  return [`npm run cli -- ${command}`, ...argv.map(quote)].join(' ');
}

/** HEAD of the repository this file lives in; undefined outside a git checkout. */
export function gitCommit(): string | undefined {
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: path.dirname(fileURLToPath(import.meta.url)),
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    });
    return out.toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

/** "AMD EPYC …, 2 cores, linux x64, node v20…, tfjs wasm". */
export function machine(backend: string): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() ?? 'unknown CPU';
  return `${model}, ${cpus.length} cores, ${os.platform()} ${os.arch()}, node ${process.version}, tfjs ${backend}`;
}
