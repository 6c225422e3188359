import { describe, expect, it } from 'vitest';
import { jacobiTopEigenpair, topEigenpair } from '../../../../worker/explain/methods/principal-projection';

/** A symmetric positive semi-definite matrix Q·diag(values)·Qᵀ with a fixed rotation Q. */
function withEigenvalues(values: number[]): Float64Array {
  const n = values.length;
  // Q from Gram–Schmidt on a fixed pseudo-random matrix.
  const q: number[][] = [];
  for (let i = 0; i < n; i++) {
    // Fractional parts of a sine hash: linearly independent rows for any n here.
    let v = Array.from({ length: n }, (_, j) => { const x = Math.sin((i + 1) * 12.9898 + (j + 1) * 78.233) * 43758.5453; return x - Math.floor(x) - 0.5; });
    for (const u of q) {
      const dot = v.reduce((s, x, j) => s + x * u[j], 0);
      v = v.map((x, j) => x - dot * u[j]);
    }
    const norm = Math.hypot(...v);
    q.push(v.map((x) => x / norm));
  }
  const a = new Float64Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) a[r * n + c] = values.reduce((s, l, k) => s + l * q[k][r] * q[k][c], 0);
  return a;
}

function residual(a: Float64Array, n: number, { value, vector }: { value: number; vector: Float64Array }): number {
  let worst = 0;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += a[i * n + j] * vector[j];
    worst = Math.max(worst, Math.abs(sum - value * vector[i]));
  }
  return worst;
}

describe('topEigenpair (the principal component of the Eigen methods)', () => {
  it('finds the top eigenpair of a clear spectrum, a repeated top eigenvalue and a near tie (which falls to Jacobi)', () => {
    const clear = withEigenvalues([9, 3, 2, 1, 0.5, 0, 0]);
    const clearPair = topEigenpair(clear, 7);
    expect(clearPair.value).toBeCloseTo(9, 9);
    expect(residual(clear, 7, clearPair)).toBeLessThan(1e-9);
    const tied = withEigenvalues([5, 5, 1, 0.2]);
    const tiedPair = topEigenpair(tied, 4);
    expect(tiedPair.value).toBeCloseTo(5, 9);
    expect(residual(tied, 4, tiedPair)).toBeLessThan(1e-9);
    const near = withEigenvalues([5, 4.9999, 1]);
    const nearPair = topEigenpair(near, 3);
    expect(nearPair.value).toBeCloseTo(5, 9);
    expect(residual(near, 3, nearPair)).toBeLessThan(1e-9);
  });

  it('agrees with Jacobi, up to sign, where both apply', () => {
    const a = withEigenvalues([4, 2.5, 1, 0.1, 0.1]);
    const power = topEigenpair(a, 5);
    const jacobi = jacobiTopEigenpair(a, 5);
    expect(power.value).toBeCloseTo(jacobi.value, 9);
    const dot = power.vector.reduce((s, x, i) => s + x * jacobi.vector[i], 0);
    expect(Math.abs(dot)).toBeCloseTo(1, 9);
  });
});
