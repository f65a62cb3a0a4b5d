// The NFE budgets typed into the Samplers panel (SamplerCostPanel.tsx), validated.
const MAX_BUDGET = 1000;

/** "10, 20, 50" → [10, 20, 50], or an error line (integers 1..1000, at most 8, ascending). */
export function parseBudgets(text: string): { budgets: number[] | null; error: string | null } {
  const parts = text.split(',').map((p) => p.trim());
  const budgets: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,4}$/.test(p) || Number(p) < 1 || Number(p) > MAX_BUDGET) {
      return {
        budgets: null,
        error: `NFE budgets must be whole numbers 1..${MAX_BUDGET} (got "${p}")`,
      };
    }
    budgets.push(Number(p));
  }
  if (budgets.length > 8) return { budgets: null, error: 'at most 8 NFE budgets' };
  return { budgets: [...new Set(budgets)].sort((a, b) => a - b), error: null };
}
