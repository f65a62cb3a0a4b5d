import { describe, expect, it } from 'vitest';
import { parseBudgets } from './nfeBudgets';

describe('parseBudgets', () => {
  it('reads a comma list, sorted and without repeats', () => {
    expect(parseBudgets('50, 10,20,10')).toEqual({ budgets: [10, 20, 50], error: null });
  });
  it.each(['', '10,,20', '0', '1001', '1e2', '-5', '10; 20', '1,2,3,4,5,6,7,8,9'])(
    'rejects %j with a message',
    (text) => {
      const r = parseBudgets(text);
      expect(r.budgets).toBeNull();
      expect(r.error).toMatch(/NFE budgets|at most 8/);
    },
  );
});
