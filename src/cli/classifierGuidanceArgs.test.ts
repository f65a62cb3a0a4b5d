// The classifier-guidance flags of `sample` and `eval`, the noisy classifier's files (round trip,
// tampering) and `sample --guidance-method classifier` end to end on tiny random models (T = 20).
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckpoint } from '../engine/checkpoint';
import { saveCheckpointDir } from '../engine/checkpoint/fsStore';
import { initWasmForTests } from '../engine/backends/testing';
import { decodeNoisyClassifier, encodeNoisyClassifier } from '../engine/noisyClassifier/checkpoint';
import { saveNoisyClassifierDir } from '../engine/noisyClassifier/fsStore';
import { NoisyClassifier, noisyClassifierFlops } from '../model/noisyClassifier';
import { getPreset } from '../model/presets';
import { UNet } from '../model/unet';
import { runCli } from './cli';
import { parseEvalArgs } from './commands/evaluate';
import { parseSampleArgs } from './commands/sample';
import { parseTrainNoisyClassifierArgs } from './commands/trainNoisyClassifier';

let dir: string;
const modelDir = () => path.join(dir, 'cond');
const clfDir = () => path.join(dir, 'clf');
const clfConfig = {
  imageSize: 28,
  inChannels: 1,
  numClasses: 10,
  channels: [2, 3] as [number, number],
  timeEmbedDim: 4,
};

async function cli(...argv: string[]) {
  let stderr = '';
  const code = await runCli(argv, { stdout: () => undefined, stderr: (t) => void (stderr += t) });
  return { code, stderr };
}

beforeAll(async () => {
  await initWasmForTests();
  dir = mkdtempSync(path.join(tmpdir(), 'cg-cli-'));
  const model = UNet.create(
    { ...getPreset('mnist', 'tiny'), numClasses: 10 },
    { seed: 2, zeroInit: false },
  );
  const encoded = await encodeCheckpoint(model.params, {
    modelConfig: model.config,
    schedule: { kind: 'linear', T: 20 },
    dataset: 'mnist',
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    trainingSteps: 0,
    ema: false,
  });
  model.dispose();
  await saveCheckpointDir(modelDir(), encoded);
  const clf = NoisyClassifier.create(clfConfig, { seed: 1 });
  await saveNoisyClassifierDir(
    clfDir(),
    await encodeNoisyClassifier(clf, {
      noisyClassifierConfig: clfConfig,
      schedule: { kind: 'linear', T: 20, scaled: false },
      dataset: 'mnist',
      classNames: Array.from({ length: 10 }, (_, i) => String(i)),
      accuracyByT: [{ tFrom: 0, tTo: 20, accuracy: 0.1, count: 10 }],
    }),
  );
  clf.dispose();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('flag validation', () => {
  const base = ['--model', 'm', '--n', '4', '--out', 'x.png'];
  it('sample: classifier guidance needs a classifier and a class, one scale, no --guidance', () => {
    const ok = parseSampleArgs([
      ...base,
      '--guidance-method',
      'classifier',
      '--classifier',
      'c',
      '--class',
      '7',
      '--classifier-scale',
      '3',
    ]);
    expect(ok !== 'help' && ok.classifierGuidance).toEqual({
      method: 'classifier',
      classifier: 'c',
      classifierScales: [3],
    });
    expect(() =>
      parseSampleArgs([...base, '--guidance-method', 'classifier', '--class', '7']),
    ).toThrow(/needs --classifier/);
    expect(() =>
      parseSampleArgs([...base, '--guidance-method', 'classifier', '--classifier', 'c']),
    ).toThrow(/needs --class/);
    expect(() =>
      parseSampleArgs([
        ...base,
        '--guidance-method',
        'both',
        '--classifier',
        'c',
        '--class',
        '1',
        '--classifier-scale',
        '1,2',
      ]),
    ).toThrow(/one --classifier-scale/);
    expect(() =>
      parseSampleArgs([
        ...base,
        '--guidance-method',
        'classifier',
        '--classifier',
        'c',
        '--class',
        '1',
        '--guidance',
        '3',
      ]),
    ).toThrow(/both/);
    expect(() => parseSampleArgs([...base, '--classifier-scale', '2', '--class', '1'])).toThrow(
      /need --guidance-method/,
    );
    expect(() => parseSampleArgs([...base, '--guidance-method', 'clf'])).toThrow(
      /--guidance-method must be/,
    );
    expect(() =>
      parseSampleArgs([
        ...base,
        '--guidance-method',
        'classifier',
        '--classifier',
        'c',
        '--class',
        '1',
        '--classifier-scale=-1',
      ]),
    ).toThrow(/>= 0/);
  });

  it('eval: sweeps classifier scales; combined holds one classifier-free scale', () => {
    const a = parseEvalArgs([
      '--model',
      'm',
      '--guidance-method',
      'classifier',
      '--classifier',
      'c',
    ]);
    expect(a !== 'help' && a.scales).toEqual([0, 1, 2, 4, 8]);
    const b = parseEvalArgs([
      '--model',
      'm',
      '--guidance-method',
      'combined',
      '--classifier',
      'c',
      '--guidance',
      '2',
      '--classifier-scale',
      '1,3',
    ]);
    expect(b !== 'help' && [b.scales, b.cfgScale, b.sideBySide]).toEqual([[1, 3], 2, false]);
    expect(() =>
      parseEvalArgs(['--model', 'm', '--guidance-method', 'combined', '--classifier', 'c']),
    ).toThrow(/exactly one --guidance/);
    // both: the two curves side by side, --guidance and --classifier-scale each a sweep.
    const both = parseEvalArgs([
      '--model',
      'm',
      '--guidance-method',
      'both',
      '--classifier',
      'c',
      '--guidance',
      '0,3',
    ]);
    expect(
      both !== 'help' && [both.sideBySide, both.scales, both.classifierGuidance.classifierScales],
    ).toEqual([true, [0, 3], [0, 1, 2, 4, 8]]);
    const cfg = parseEvalArgs(['--model', 'm', '--guidance-method', 'cfg']);
    expect(cfg !== 'help' && [cfg.classifierGuidance.method, cfg.sideBySide]).toEqual([
      'classifier-free',
      false,
    ]);
    expect(() => parseEvalArgs(['--model', 'm', '--guidance-method', 'both'])).toThrow(
      /--guidance-method both needs --classifier DIR/,
    );
    expect(() => parseEvalArgs(['--model', 'm', '--guidance-method', 'side'])).toThrow(
      /--guidance-method must be "cfg" or "classifier-free" or "classifier" or "both" or "combined"/,
    );
    expect(() =>
      parseEvalArgs([
        '--model',
        'm',
        '--guidance-method',
        'classifier',
        '--classifier',
        'c',
        '--guidance',
        '3',
      ]),
    ).toThrow(/null class/);
  });

  it('train-noisy-classifier: validates its flags', () => {
    const a = parseTrainNoisyClassifierArgs(['--dataset', 'cifar10', '--channels', '8,16']);
    expect(a !== 'help' && [a.config.imageSize, a.config.inChannels, a.config.channels]).toEqual([
      32,
      3,
      [8, 16],
    ]);
    expect(() => parseTrainNoisyClassifierArgs(['--dataset', 'svhn'])).toThrow(/--dataset/);
    expect(() => parseTrainNoisyClassifierArgs(['--time-dim', '7'])).toThrow(/even/);
    expect(() => parseTrainNoisyClassifierArgs(['--T', '5', '--buckets', '10'])).toThrow(
      /--buckets/,
    );
    expect(() => parseTrainNoisyClassifierArgs(['--channels', '8'])).toThrow(
      /--channels must be 2 comma-separated integers/,
    );
  });
});

describe('the noisy classifier files', () => {
  it('round-trip and reject tampering with a clear message', () => {
    const json = JSON.parse(readFileSync(path.join(clfDir(), 'model.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const weights = readFileSync(path.join(clfDir(), 'weights.bin'));
    const decoded = decodeNoisyClassifier(json, weights);
    expect(decoded.manifest.noisyClassifierConfig).toEqual(clfConfig);
    expect(decoded.manifest.accuracyByT?.[0].accuracy).toBe(0.1);
    expect(() =>
      decodeNoisyClassifier({ ...json, format: 'diffusion-playground-classifier' }, weights),
    ).toThrow(/clean judge/);
    expect(() =>
      decodeNoisyClassifier({ ...json, schedule: { kind: 'sqrt', T: 20, scaled: false } }, weights),
    ).toThrow(/schedule.kind/);
    expect(() =>
      decodeNoisyClassifier(
        { ...json, accuracyByT: [{ tFrom: 0, tTo: 99, accuracy: 0.1, count: 1 }] },
        weights,
      ),
    ).toThrow(/tTo/);
    const bad = Uint8Array.from(weights);
    bad[10] ^= 0xff;
    expect(() => decodeNoisyClassifier(json, bad)).toThrow(/CRC-32/);
  });

  it('has the shapes and cost of its config', () => {
    const c = NoisyClassifier.create(clfConfig, { seed: 1 });
    expect(c.params.get('logits.w')?.shape).toEqual([7 * 7 * 3, 10]);
    expect(c.params.get('temb_proj3.w')?.shape).toEqual([4, 3]);
    expect(noisyClassifierFlops(clfConfig)).toBeGreaterThan(0);
    expect(() => NoisyClassifier.create({ ...clfConfig, timeEmbedDim: 5 })).toThrow(/timeEmbedDim/);
    c.dispose();
  });
});

describe('sample --guidance-method classifier', () => {
  it('runs end to end and refuses a classifier of another schedule', async () => {
    const out = path.join(dir, 'x.png');
    const ok = await cli(
      'sample',
      '--model',
      modelDir(),
      '--guidance-method',
      'classifier',
      '--classifier',
      clfDir(),
      '--classifier-scale',
      '2',
      '--class',
      '3',
      '--n',
      '2',
      '--steps',
      '2',
      '--out',
      out,
    );
    expect(ok.stderr).toMatch(/classifier scale 2 \(classifier\)/);
    expect(ok.code).toBe(0);
    expect(readFileSync(out).subarray(1, 4).toString()).toBe('PNG');
    const json = JSON.parse(readFileSync(path.join(clfDir(), 'model.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const other = path.join(dir, 'clf-other');
    rmSync(other, { recursive: true, force: true });
    mkdirSync(other);
    copyFileSync(path.join(clfDir(), 'weights.bin'), path.join(other, 'weights.bin'));
    writeFileSync(
      path.join(other, 'model.json'),
      JSON.stringify({ ...json, schedule: { kind: 'linear', T: 1000, scaled: false } }),
    );
    const bad = await cli(
      'sample',
      '--model',
      modelDir(),
      '--guidance-method',
      'classifier',
      '--classifier',
      other,
      '--class',
      '3',
      '--n',
      '2',
      '--steps',
      '2',
      '--out',
      out,
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/T=1000.*T=20/);
  });
});
