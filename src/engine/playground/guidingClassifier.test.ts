// Which classifier guides a data set: the shipped one (fetched once), or one trained in this
// browser, which takes its place until dropped; either is checked against the model it guides.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { NoisyClassifier, type NoisyClassifierConfig } from '../../model/noisyClassifier';
import { encodeNoisyClassifier } from '../noisyClassifier/checkpoint';
import type { NoisyClassifierMeta } from '../noisyClassifier/types';
import { GuidingClassifiers } from './guidingClassifier';

const CONFIG: NoisyClassifierConfig = {
  imageSize: 8,
  inChannels: 1,
  numClasses: 10,
  channels: [2, 2],
  timeEmbedDim: 4,
};
const META: NoisyClassifierMeta = {
  noisyClassifierConfig: CONFIG,
  schedule: { kind: 'linear', T: 1000, scaled: false },
  dataset: 'mnist',
  classNames: Array.from({ length: 10 }, (_, i) => String(i)),
  accuracyByT: [{ tFrom: 0, tTo: 1000, accuracy: 0.5, count: 4 }],
};
const MODEL = {
  dataset: 'mnist',
  imageSize: 8,
  inChannels: 1,
  numClasses: 10,
  schedule: { kind: 'linear', T: 1000, scaled: false },
};

describe('GuidingClassifiers', () => {
  it('fetches the shipped classifier once, lets one trained here take over, and goes back', async () => {
    const before = tf.memory().numTensors;
    const source = NoisyClassifier.create(CONFIG, { seed: 1 });
    const files = await encodeNoisyClassifier(source, META);
    source.dispose();
    const fetched: string[] = [];
    const guiding = new GuidingClassifiers(async (folder) => {
      fetched.push(folder);
      return { modelJson: JSON.parse(JSON.stringify(files.modelJson)), weights: files.weights };
    });
    expect(await guiding.current('mnist')).toBeNull();
    const shipped = await guiding.forModel(MODEL);
    expect(shipped.origin).toBe('shipped');
    expect((await guiding.forModel(MODEL)).classifier).toBe(shipped.classifier);
    expect(fetched).toEqual(['mnist-noisy-classifier/']);
    expect((await guiding.current('mnist'))?.origin).toBe('shipped');

    const first = NoisyClassifier.create(CONFIG, { seed: 2 });
    const trainedMeta = {
      ...META,
      accuracyByT: [{ tFrom: 0, tTo: 1000, accuracy: 0.2, count: 4 }],
    };
    expect(guiding.install({ classifier: first, manifest: trainedMeta })).toBeNull();
    const used = await guiding.forModel(MODEL);
    expect(used).toMatchObject({ classifier: first, origin: 'browser' });
    expect((await guiding.current('mnist'))?.manifest.accuracyByT?.[0].accuracy).toBe(0.2);

    // A second one replaces the first, which is handed back for disposal.
    const second = NoisyClassifier.create(CONFIG, { seed: 3 });
    expect(guiding.install({ classifier: second, manifest: trainedMeta })).toBe(first);
    first.dispose();
    expect(guiding.dropTrained('mnist')).toBe(second);
    second.dispose();
    expect(guiding.dropTrained('mnist')).toBeNull();
    expect(await guiding.forModel(MODEL)).toBe(shipped);
    expect(fetched).toHaveLength(1);
    shipped.classifier.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a trained classifier that cannot guide the model (another schedule)', async () => {
    const guiding = new GuidingClassifiers(async () => {
      throw new Error('no shipped classifier here');
    });
    const clf = NoisyClassifier.create(CONFIG, { seed: 1 });
    guiding.install({ classifier: clf, manifest: META });
    await expect(
      guiding.forModel({ ...MODEL, schedule: { kind: 'cosine', T: 1000, scaled: false } }),
    ).rejects.toThrow(/not available for this model: .*schedule/);
    guiding.dropTrained('mnist');
    await expect(guiding.forModel(MODEL)).rejects.toThrow('no shipped classifier here');
    clf.dispose();
  });
});
