// `bench --backend pytorch`: the same U-Net preset and training step in PyTorch on this machine's
// CPU (scripts/bench/pytorch_unet.py, a layer-for-layer mirror of src/model), so tfjs's GFLOP/s can
// be compared with PyTorch's on the same core in the same run (issue 12). The row has the bench's
// fields (trainGflops from the same analytic FLOPs, model/flops.ts); PyTorch is not a dependency:
// where python3 or torch is missing the backend is reported unavailable and the others still run.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  trainGflops,
  type BenchPreset,
  type BenchRow,
  type BenchSettings,
} from '../../engine/bench/trainStep';
import { countParams } from '../../model/params';
import { flopsPerImage } from '../../model/flops';
import { getPreset } from '../../model/presets';

const SCRIPT = fileURLToPath(new URL('../../../scripts/bench/pytorch_unet.py', import.meta.url));
/** The presets the mirror knows (unpatched ones; see PRESETS in the script). */
export const PYTORCH_PRESETS = ['mnist/tiny', 'mnist/small', 'cifar10/small'];

/** A bench row without the tfjs-only fields (tensor counts, dispatches, profile). */
export type PytorchRow = Pick<
  BenchRow,
  'backend' | 'preset' | 'batch' | 'trainStepMs' | 'forwardMs' | 'flopsPerImage' | 'trainGflops'
> & { threads: number };

/** What the script prints (one JSON line). */
interface ScriptOutput {
  backend: string;
  threads: number;
  params: number;
  flopsPerImage: number;
  forwardMs: number;
  trainStepMs: number;
}

function isScriptOutput(v: unknown): v is ScriptOutput {
  const o = v as Record<string, unknown> | null;
  return (
    o !== null &&
    typeof o === 'object' &&
    typeof o.backend === 'string' &&
    ['threads', 'params', 'flopsPerImage', 'forwardMs', 'trainStepMs'].every(
      (k) => typeof o[k] === 'number' && Number.isFinite(o[k]) && (o[k] as number) > 0,
    )
  );
}

/**
 * The bench row for the script's output, or an Error saying why it is not the same network
 * (a parameter count or FLOP count that differs from tfjs's model of the preset).
 */
export function pytorchRow(stdout: string, preset: BenchPreset, batch: number): PytorchRow {
  const line = stdout.trim().split('\n').pop() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new Error(`the PyTorch script printed no JSON line (got ${JSON.stringify(line)})`);
  }
  if (!isScriptOutput(parsed)) throw new Error(`unexpected PyTorch output ${line}`);
  const config = getPreset(preset.dataset, preset.name);
  const params = countParams(config);
  const flops = flopsPerImage(config);
  if (parsed.params !== params || Math.abs(parsed.flopsPerImage / flops - 1) > 0.01) {
    throw new Error(
      `the PyTorch mirror is not the tfjs model: ${parsed.params} params and ` +
        `${parsed.flopsPerImage} FLOP/image against ${params} and ${flops}`,
    );
  }
  return {
    backend: parsed.backend,
    preset: `${preset.dataset}/${preset.name}`,
    batch,
    trainStepMs: parsed.trainStepMs,
    forwardMs: parsed.forwardMs,
    flopsPerImage: flops,
    trainGflops: Math.round(trainGflops(flops, batch, parsed.trainStepMs) * 100) / 100,
    threads: parsed.threads,
  };
}

/** Debian's python3 (where apt's python3-torch goes) before whatever python3 is first on PATH. */
function defaultPython(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

/** Runs the script for one preset; rejects with why it cannot run here. */
export async function benchPytorch(
  preset: BenchPreset,
  s: BenchSettings,
  python = process.env.BENCH_PYTHON ?? defaultPython(),
): Promise<PytorchRow> {
  const name = `${preset.dataset}/${preset.name}`;
  if (!PYTORCH_PRESETS.includes(name)) {
    throw new Error(`the PyTorch mirror has no ${name} (it has ${PYTORCH_PRESETS.join(', ')})`);
  }
  const args = [SCRIPT, '--preset', name, '--batch', String(s.batch), '--threads', '1'];
  args.push('--steps', String(s.steps), '--warmup', String(s.warmup));
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(python, args, { maxBuffer: 1 << 20 }));
  } catch (e) {
    const err = e as { code?: string; stderr?: string };
    if (err.code === 'ENOENT') throw new Error(`${python} is not installed`, { cause: e });
    const last = (err.stderr ?? String(e)).trim().split('\n').pop() ?? '';
    if (/No module named 'torch'/.test(last)) {
      throw new Error('PyTorch is not installed (Debian: apt-get install -y python3-torch)', {
        cause: e,
      });
    }
    throw new Error(`the PyTorch script failed: ${last}`, { cause: e });
  }
  return pytorchRow(stdout, preset, s.batch);
}
