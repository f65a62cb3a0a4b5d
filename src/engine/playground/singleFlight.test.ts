import { describe, expect, it } from 'vitest';
import { SingleFlight } from './singleFlight';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SingleFlight', () => {
  it('joins a second call with the same key while the first is in flight', async () => {
    const flights = new SingleFlight();
    const gate = deferred<number>();
    let calls = 0;
    const task = () => {
      calls += 1;
      return gate.promise;
    };
    const a = flights.run('train', task);
    const b = flights.run('train', task);
    expect(flights.has('train')).toBe(true);
    gate.resolve(7);
    expect(await a).toEqual({ value: 7, first: true });
    expect(await b).toEqual({ value: 7, first: false });
    expect(calls).toBe(1);
    expect(flights.has('train')).toBe(false);
  });

  it('runs again once the first call is over, and keeps keys apart', async () => {
    const flights = new SingleFlight();
    let calls = 0;
    const task = async () => ++calls;
    expect((await flights.run('a', task)).value).toBe(1);
    expect((await flights.run('a', task)).value).toBe(2);
    const [x, y] = await Promise.all([flights.run('a', task), flights.run('b', task)]);
    expect([x.first, y.first]).toEqual([true, true]);
    expect(calls).toBe(4);
  });

  it('shares a failure with the joined calls, then forgets it', async () => {
    const flights = new SingleFlight();
    const gate = deferred<number>();
    const a = flights.run('load', () => gate.promise);
    const b = flights.run('load', () => Promise.resolve(1));
    gate.reject(new Error('bad file'));
    await expect(a).rejects.toThrow('bad file');
    await expect(b).rejects.toThrow('bad file');
    expect((await flights.run('load', () => Promise.resolve(2))).value).toBe(2);
  });

  it('turns a synchronous throw into a rejection', async () => {
    const flights = new SingleFlight();
    await expect(
      flights.run('x', () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(flights.has('x')).toBe(false);
  });
});
