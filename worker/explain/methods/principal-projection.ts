/**
 * The projection of a map's channels onto their first principal component, as pytorch-grad-cam's
 * `get_2d_projection` computes it for Eigen-CAM (Muhammad & Yeasin 2020) and Eigen-Grad-CAM: X [HW, k]
 * (one row per pixel), centred per channel over the pixels, projected on its first right-singular
 * vector v₁: p = X_c·v₁. TF.js has no SVD; p = σ₁u₁, where u₁ is the top eigenvector of the HW×HW Gram
 * matrix X_c·X_cᵀ and σ₁² its eigenvalue, which cyclic Jacobi rotations find exactly and
 * deterministically for the small HW of a CAM layer.
 *
 * The sign of a singular vector is arbitrary (the anchor's follows its LAPACK build): here the entry of
 * largest magnitude is made positive, so that after the ReLU the map shows the dominant lobe.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Largest off-diagonal magnitude below which Jacobi stops (relative to the matrix's scale). */
const JACOBI_TOLERANCE = 1e-12;
const JACOBI_MAX_SWEEPS = 100;

/** The eigenvector of the largest eigenvalue of a symmetric n×n matrix (row-major), and that eigenvalue. */
export function topEigenpair(matrix: Float64Array, n: number): { value: number; vector: Float64Array } {
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
