/**
 * The projection of a map's channels onto their first principal component, as pytorch-grad-cam's
 * `get_2d_projection` computes it for Eigen-CAM (Muhammad & Yeasin 2020) and Eigen-Grad-CAM: X [HW, k]
 * (one row per pixel), centred per channel over the pixels, projected on its first right-singular
 * vector v₁: p = X_c·v₁. TF.js has no SVD; p = σ₁u₁, where u₁ is the top eigenvector of the HW×HW Gram
 * matrix X_c·X_cᵀ and σ₁² its eigenvalue: found by power iteration where it converges (a clear top
 * component, the usual case: a fraction of a millisecond for 7×7), else by cyclic Jacobi rotations,
 * exact and deterministic whatever the spectrum.
 *
 * The sign of a singular vector is arbitrary (the anchor's follows its LAPACK build): here the entry of
 * largest magnitude is made positive, so that after the ReLU the map shows the dominant lobe.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Largest off-diagonal magnitude below which Jacobi stops (relative to the matrix's scale). */
const JACOBI_TOLERANCE = 1e-12;
const JACOBI_MAX_SWEEPS = 100;

/** Squarings of the matrix before power iteration: the top eigenvalue then dominates by (λ₁/λ₂)^64. */
const SQUARINGS = 6;
const POWER_ITERATIONS = 50;
/** Power iteration stops when the vector moves less than this (2-norm of the change). */
const POWER_TOLERANCE = 1e-12;

function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] += aik * b[k * n + j];
    }
  }
  return out;
}

function scaleToUnit(m: Float64Array): Float64Array | undefined {
  const max = m.reduce((x, v) => Math.max(x, Math.abs(v)), 0);
  return max > 0 && Number.isFinite(max) ? m.map((v) => v / max) : undefined;
}

function normalise(x: Float64Array): Float64Array | undefined {
  const norm = Math.sqrt(x.reduce((s, v) => s + v * v, 0));
  return norm > 0 ? x.map((v) => v / norm) : undefined;
}

/**
 * The top eigenpair of a symmetric positive semi-definite matrix by power iteration on a^64 (six
 * squarings, rescaled as they go), from that power's column of largest diagonal; undefined when it has
 * not converged (top eigenvalues too close), for Jacobi to decide.
 */
function powerIteration(a: Float64Array, n: number): { value: number; vector: Float64Array } | undefined {
  let power: Float64Array | undefined = scaleToUnit(a);
  for (let s = 0; s < SQUARINGS && power; s++) power = scaleToUnit(multiply(power, power, n));
  if (!power) return undefined;
  let start = 0;
  for (let i = 1; i < n; i++) if (power[i * n + i] > power[start * n + start]) start = i;
  let current = normalise(Float64Array.from({ length: n }, (_, i) => power![i * n + start]));
  for (let iteration = 0; current && iteration < POWER_ITERATIONS; iteration++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) next[i] += power[i * n + j] * current[j];
    const unit = normalise(next);
    if (!unit) return undefined;
    let change = 0;
    for (let i = 0; i < n; i++) change += (unit[i] - current[i]) ** 2;
    current = unit;
    if (Math.sqrt(change) < POWER_TOLERANCE) {
      // The eigenvalue of a itself: the Rayleigh quotient vᵀ·a·v.
      let value = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) value += current[i] * a[i * n + j] * current[j];
      return { value, vector: current };
    }
  }
  return undefined;
}

/** The eigenvector of the largest eigenvalue of a symmetric positive semi-definite n×n matrix (row-major), and that eigenvalue. */
export function topEigenpair(matrix: Float64Array, n: number): { value: number; vector: Float64Array } {
  return powerIteration(matrix, n) ?? jacobiTopEigenpair(matrix, n);
}

/** The same by cyclic Jacobi rotations: every eigenpair, whatever the spectrum; the largest returned. */
export function jacobiTopEigenpair(matrix: Float64Array, n: number): { value: number; vector: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const scale = Math.max(1e-300, a.reduce((m, x) => Math.max(m, Math.abs(x)), 0));
  for (let sweep = 0; sweep < JACOBI_MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off = Math.max(off, Math.abs(a[p * n + q]));
    if (off <= JACOBI_TOLERANCE * scale) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) <= JACOBI_TOLERANCE * scale * 1e-3) continue;
        // The rotation that zeroes a[p][q] (Golub & Van Loan, Algorithm 8.5.1).
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < n; i++) if (a[i * n + i] > a[best * n + best]) best = i;
  return { value: a[best * n + best], vector: Float64Array.from({ length: n }, (_, k) => v[k * n + best]) };
}

/** terms [n, h, w, k] → each row's projection on its first principal component, [n, h, w] (no ReLU). */
export function principalProjection(terms: tf.Tensor4D): tf.Tensor3D {
  const [n, h, w, k] = terms.shape;
  const pixels = h * w;
  const gram = tf.tidy(() => {
    const rows = tf.reshape(terms, [n, pixels, k]);
    const centred = tf.sub(rows, tf.mean(rows, 1, true));
    return tf.matMul(centred, centred, false, true);
  });
  const values = gram.dataSync();
  gram.dispose();
  const out = new Float32Array(n * pixels);
  for (let row = 0; row < n; row++) {
    const { value, vector } = topEigenpair(Float64Array.from(values.subarray(row * pixels * pixels, (row + 1) * pixels * pixels)), pixels);
    let largest = 0;
    for (let i = 1; i < pixels; i++) if (Math.abs(vector[i]) > Math.abs(vector[largest])) largest = i;
    const sigma = Math.sqrt(Math.max(0, value)) * Math.sign(vector[largest] || 1);
    for (let i = 0; i < pixels; i++) out[row * pixels + i] = sigma * vector[i];
  }
  return tf.tensor3d(out, [n, h, w]);
}
