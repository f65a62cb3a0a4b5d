// The model slot with the shipped pretrained models: they load through the checkpoint
// validation, are marked as pretrained, and a conditional load never replaces a model that
// arrived first, even when both are in flight at once.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initWasmForTests } from '../backends/testing';
import { decodeCheckpoint, fromFiles, type DecodedCheckpoint } from '../checkpoint';
import { countParams, getPreset } from '../../model';
import { ModelSlot } from './modelSlot';
import { PRETRAINED_NAMES, pretrainedLabel } from './pretrained';

const CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

function decodeShipped(name: string): Promise<DecodedCheckpoint> {
  const raw = fromFiles(
    readFileSync(`models/${name}/model.json`, 'utf8'),
    readFileSync(`models/${name}/weights.bin`),
  );
  return decodeCheckpoint(raw.modelJson, raw.weights);
}

beforeAll(async () => {
  await initWasmForTests();
});

describe('pretrained models in the slot', () => {
  it('every shipped model is a valid compact, class-conditional checkpoint', async () => {
    for (const name of PRETRAINED_NAMES) {
      const { manifest } = await decodeShipped(name);
      const dataset = manifest.dataset;
      expect(name.startsWith(dataset)).toBe(true);
      expect(manifest.modelConfig).toEqual(getPreset(dataset, 'compact'));
      expect(manifest.classNames).toHaveLength(10);
      expect(manifest.ema).toBe(true);
      expect(manifest.training?.pUncond).toBeGreaterThan(0);
    }
  });

  it('loads as pretrained; a conditional load keeps a model that is there or arrives first', async () => {
    const baseline = tf.memory().numTensors;
    const decoded = await decodeShipped('mnist-cfg');
    const slot = new ModelSlot();
    let replaced = 0;
    slot.onReplace = async () => {
      replaced++;
    };

    // Both in flight: the new model is queued first, so the conditional load finds it there.
    const [created, skipped] = await Promise.all([
      slot.create('mnist', 'tiny', CLASSES),
      slot.loadIfEmpty(decoded, pretrainedLabel('mnist-cfg'), { pretrained: 'mnist-cfg' }),
    ]);
    expect(skipped).toBeNull();
    expect(slot.info).toEqual(created);
    expect(replaced).toBe(1);

    // An unconditional load replaces it.
    const info = await slot.loadDecoded(decoded, pretrainedLabel('mnist-cfg'), {
      pretrained: 'mnist-cfg',
    });
    expect(info).toMatchObject({
      origin: 'pretrained',
      pretrained: 'mnist-cfg',
      label: 'Pretrained MNIST model',
      dataset: 'mnist',
      preset: null,
      numParams: countParams(getPreset('mnist', 'compact')),
    });
    expect(await slot.loadIfEmpty(decoded, 'again', { pretrained: 'mnist-cfg' })).toBeNull();
    expect(slot.info?.label).toBe('Pretrained MNIST model');

    // Into an empty slot it loads.
    const empty = new ModelSlot();
    expect((await empty.loadIfEmpty(decoded, 'x', { pretrained: 'mnist-cfg' }))?.origin).toBe(
      'pretrained',
    );
    empty.dispose();
    slot.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('settled() waits for every swap asked for so far, so a run started after it sees the new model', async () => {
    const slot = new ModelSlot();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    slot.onReplace = () => gate;
    void slot.create('mnist', 'tiny', CLASSES);
    const second = slot.create('mnist', 'tiny', CLASSES, { seed: 1 });
    let settled = false;
    const waiting = slot.settled().then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    release();
    await waiting;
    expect(slot.info).toEqual(await second);
    slot.dispose();
  });
});

describe('a new model in the slot', () => {
  it('learns Σ_θ when asked: a v output, learnSigma in its info and label', async () => {
    const baseline = tf.memory().numTensors;
    const slot = new ModelSlot();
    const names = Array.from({ length: 10 }, (_, i) => String(i));
    const plain = await slot.create('mnist', 'tiny', names);
    expect(plain.learnSigma).toBe(false);
    expect(plain.label).toBe('new mnist tiny model');
    const learned = await slot.create('mnist', 'tiny', names, { learnSigma: true });
    expect(learned.learnSigma).toBe(true);
    expect(learned.label).toBe('new mnist tiny model (learned Σ_θ)');
    const config = getPreset('mnist', 'tiny');
    // The output conv is twice as wide: ε̂ and v per pixel.
    expect(learned.numParams).toBeGreaterThan(countParams(config));
    expect(learned.numParams).toBe(countParams({ ...config, learnSigma: true }));
    slot.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
