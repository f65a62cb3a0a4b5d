// `eval --guidance-method both` end to end: a tiny random class-conditional U-Net (T = 20), a
// narrow random judge (reference statistics from 200 real MNIST test images) and a random
// noise-aware classifier, saved to a temp dir and loaded back as the CLI does.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../data/dataset';
import { fsSource } from '../../data/fsSource';
import { initWasmForTests } from '../../engine/backends/testing';
import { encodeCheckpoint } from '../../engine/checkpoint';
import { saveCheckpointDir } from '../../engine/checkpoint/fsStore';
import type { ScaleResult } from '../../engine/evaluation';
import { encodeClassifier } from '../../engine/judge/checkpoint';
import { saveJudgeDir } from '../../engine/judge/fsStore';
import { measureOnDataset } from '../../engine/judge/testSet';
import { encodeNoisyClassifier } from '../../engine/noisyClassifier/checkpoint';
import { saveNoisyClassifierDir } from '../../engine/noisyClassifier/fsStore';
import { Classifier } from '../../model/classifier';
import { NoisyClassifier } from '../../model/noisyClassifier';
import { getPreset } from '../../model/presets';
import { UNet } from '../../model/unet';
import { runCli } from '../cli';
import { DEFAULT_DATA_DIR } from '../paths';
import { bestByAccuracy } from './evalSideBySide';

let dir: string;
const CLASSES = Array.from({ length: 10 }, (_, i) => String(i));

beforeAll(async () => {
  await initWasmForTests();
  dir = mkdtempSync(path.join(tmpdir(), 'eval-both-'));
  const model = UNet.create(
    { ...getPreset('mnist', 'tiny'), numClasses: 10 },
    { seed: 2, zeroInit: false },
  );
  await saveCheckpointDir(
    path.join(dir, 'model'),
    await encodeCheckpoint(model.params, {
      modelConfig: model.config,
      schedule: { kind: 'linear', T: 20 },
      dataset: 'mnist',
      classNames: CLASSES,
      trainingSteps: 0,
      ema: false,
    }),
  );
  model.dispose();
  const judgeConfig = {
    imageSize: 28,
    inChannels: 1,
    numClasses: 10,
    channels: [2, 4] as [number, number],
    featureDim: 6,
  };
  const judge = Classifier.create(judgeConfig, { seed: 1 });
  const encoded = await encodeClassifier(judge, {
    classifierConfig: judgeConfig,
    dataset: 'mnist',
    classNames: CLASSES,
  });
  const test = await loadDataset(fsSource(DEFAULT_DATA_DIR), 'mnist', 'test', { limit: 200 });
  const { reference } = await measureOnDataset(judge, test, encoded.modelJson.weightsCrc32 ?? '');
  judge.dispose();
  await saveJudgeDir(path.join(dir, 'judge'), { ...encoded, referenceStats: reference });
  const clfConfig = {
    imageSize: 28,
    inChannels: 1,
    numClasses: 10,
    channels: [2, 3] as [number, number],
    timeEmbedDim: 4,
  };
  const clf = NoisyClassifier.create(clfConfig, { seed: 1 });
  await saveNoisyClassifierDir(
    path.join(dir, 'clf'),
    await encodeNoisyClassifier(clf, {
      noisyClassifierConfig: clfConfig,
      schedule: { kind: 'linear', T: 20, scaled: false },
      dataset: 'mnist',
      classNames: CLASSES,
      accuracyByT: [{ tFrom: 0, tTo: 20, accuracy: 0.1, count: 10 }],
    }),
  );
  clf.dispose();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cli eval --guidance-method both', () => {
  it('prints both curves from one run, the best classifier scale, and writes the JSON', async () => {
    let stdout = '';
    let stderr = '';
    const json = path.join(dir, 'both.json');
    const code = await runCli(
      [
        'eval',
        '--model',
        path.join(dir, 'model'),
        '--judge',
        path.join(dir, 'judge'),
        '--guidance-method',
        'both',
        '--classifier',
        path.join(dir, 'clf'),
        '--guidance',
        '0,2',
        '--classifier-scale',
        '0,5',
        '--n',
        '20',
        '--steps',
        '2',
        '--batch',
        '10',
        '--json',
        json,
      ],
      { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) },
    );
    expect(stderr).toMatch(/side by side/);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^classifier-free guidance/);
    expect(lines[4]).toMatch(/^classifier guidance/);
    const cfgRows = lines.slice(2, 4).map((l) => l.trim().split(/ +/));
    const cgRows = lines.slice(6, 8).map((l) => l.trim().split(/ +/));
    expect(cfgRows.map((r) => r[0])).toEqual(['0', '2']);
    expect(cgRows.map((r) => r[0])).toEqual(['0', '5']);
    // s = 0 of both methods is the unconditional model from the same noise: the same numbers.
    expect(cgRows[0].slice(1, 4)).toEqual(cfgRows[0].slice(1, 4));
    expect(lines[8]).toMatch(/^classifier guidance's best scale: s = (0|5), judge accuracy/);
    const out = JSON.parse(readFileSync(json, 'utf8')) as {
      classifierFree: { results: { guidanceScale: number }[] };
      classifier: { results: { guidanceScale: number }[]; settings: { seed: number } };
      bestClassifierScale: number;
    };
    expect(out.classifierFree.results.map((r) => r.guidanceScale)).toEqual([0, 2]);
    expect(out.classifier.results.map((r) => r.guidanceScale)).toEqual([0, 5]);
    expect([0, 5]).toContain(out.bestClassifierScale);
  }, 120_000);

  it('picks the most accurate scale, the lower Fréchet distance on a tie', () => {
    const r = (s: number, acc: number, fd: number) =>
      ({ guidanceScale: s, accuracy: { overall: acc }, frechetDistance: fd }) as ScaleResult;
    expect(bestByAccuracy([r(0, 0.1, 90), r(10, 0.9, 30), r(20, 0.91, 31)])?.guidanceScale).toBe(
      20,
    );
    expect(bestByAccuracy([r(10, 0.9, 30), r(20, 0.9, 25)])?.guidanceScale).toBe(20);
    expect(bestByAccuracy([])).toBeNull();
  });
});
