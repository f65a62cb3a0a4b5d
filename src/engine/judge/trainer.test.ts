import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { Classifier } from '../../model/classifier';
import { measureOnDataset } from './testSet';
import { barsDataset, TINY_JUDGE } from './testing';
import { ClassifierTrainer } from './trainer';

describe('ClassifierTrainer', () => {
  it('learns a separable toy task: loss falls, accuracy reaches 100%, no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const data = barsDataset(96);
    const model = Classifier.create(TINY_JUDGE, { seed: 1 });
    const trainer = new ClassifierTrainer(model, data, {
      batchSize: 16,
      epochs: 10,
      learningRate: 1e-2,
      warmupSteps: 5,
      maxShift: 1,
      dropout: 0,
      seed: 3,
    });
    expect(trainer.stepsPerEpoch).toBe(6);
    expect(trainer.totalSteps).toBe(60);
    const logs = [];
    while (!trainer.done) {
      trainer.step();
      if (trainer.stepCount % 12 === 0) logs.push(await trainer.flush());
    }
    expect(await trainer.flush()).toBeNull();
    expect(logs).toHaveLength(5);
    const first = logs[0]!;
    const last = logs[4]!;
    expect(first).toMatchObject({ step: 12, totalSteps: 60, epoch: 2 });
    expect(first.loss).toBeGreaterThan(0.5);
    expect(last.loss).toBeLessThan(0.5 * first.loss);
    expect(last.learningRate).toBeCloseTo(trainer.learningRateAt(59), 12);

    const test = await measureOnDataset(model, barsDataset(60, 99), '00000000');
    expect(test.accuracy.overall).toBe(1);
    expect(test.accuracy.perClass).toEqual([1, 1, 1]);
    expect(test.reference.count).toBe(60);
    expect(test.reference.perClassCount).toEqual([20, 20, 20]);
    trainer.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('draws every image once per epoch, reproducibly from the seed', () => {
    const data = barsDataset(10);
    const model = Classifier.create(TINY_JUDGE);
    const a = new ClassifierTrainer(model, data, { batchSize: 4, seed: 7 });
    const b = new ClassifierTrainer(model, data, { batchSize: 4, seed: 7 });
    const c = new ClassifierTrainer(model, data, { batchSize: 4, seed: 8 });
    const firstEpoch = (t: ClassifierTrainer) =>
      [...t.indicesAt(0), ...t.indicesAt(1), ...t.indicesAt(2)].slice(0, 10);
    expect(firstEpoch(a).sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(firstEpoch(a)).toEqual(firstEpoch(b));
    // Steps 2-4 cross into epoch 1, a new permutation: positions 10..19 again cover every image.
    const secondEpoch = [...a.indicesAt(2), ...a.indicesAt(3), ...a.indicesAt(4)].slice(2, 12);
    expect(secondEpoch.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...a.indicesAt(0)]).not.toEqual([...c.indicesAt(0)]);
    [a, b, c].forEach((t) => t.dispose());
    model.dispose();
  });

  it('rejects options and data that do not fit', () => {
    const model = Classifier.create(TINY_JUDGE);
    expect(() => new ClassifierTrainer(model, barsDataset(4), { batchSize: 0 })).toThrow(
      /batchSize/,
    );
    expect(() => new ClassifierTrainer(model, barsDataset(4), { dropout: 1 })).toThrow(/dropout/);
    const wide = { ...barsDataset(4), height: 9 };
    expect(() => new ClassifierTrainer(model, wide, {})).toThrow(/9x8x1 images/);
    model.dispose();
  });
});
