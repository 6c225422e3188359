/**
 * The weights each linear layer runs with, made once at load and shared by every split of one model:
 * its own, with the batch norm after it folded in (fold-batch-norm.ts), with a dense kernel's transpose
 * for a head's gradient, or packed for the PointwiseConv2d kernel. A 1×1 convolution of the body needs
 * only the packed form, so the folded one is not kept for it. The cache owns what it made; `dispose`
 * frees it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { packPointwiseFilter, type PackedPointwiseFilter } from '../../runtime/kernels/pointwise-conv-kernel';
import type { Layer } from '../layers-graph';
import { foldBatchNorm, type BatchNormParams, type FoldedWeights } from './fold-batch-norm';
import type { LinearLayer } from './layer-specs';

/**
 * A linear layer's weights as a program runs them: its own, or with a batch norm folded in; a dense
 * layer of the head also has its kernel transposed, for its gradient (lower-linear.ts).
 */
export interface LinearWeights {
  kernel: tf.Tensor;
  bias?: tf.Tensor1D;
  transposedKernel?: tf.Tensor2D;
}

/** A linear layer and the batch norm folded into it, if any: what the cache keeps weights for. */
export interface FoldedLinear {
  layer: Layer;
  spec: LinearLayer;
  batchNorm?: { layer: Layer; params: BatchNormParams };
}

interface Entry {
  folded?: FoldedWeights;
  packed?: PackedPointwiseFilter | null;
  transposed?: tf.Tensor2D;
}

export class LinearWeightCache {
  readonly #entries = new Map<Layer, Map<Layer | undefined, Entry>>();

  #entry({ layer, batchNorm }: FoldedLinear): Entry {
    let byBn = this.#entries.get(layer);
    if (!byBn) this.#entries.set(layer, (byBn = new Map()));
    let entry = byBn.get(batchNorm?.layer);
    if (!entry) byBn.set(batchNorm?.layer, (entry = {}));
    return entry;
  }

  /** The layer's weights with its batch norm folded in; its own weights (not the cache's) when there is none. */
  folded(linear: FoldedLinear): LinearWeights {
    const { spec, batchNorm } = linear;
    if (!batchNorm) return spec;
    const entry = this.#entry(linear);
    if (!entry.folded) {
      entry.folded = foldBatchNorm(spec.kind, spec.kernel, spec.bias, batchNorm.params);
      tf.keep(entry.folded.kernel);
      tf.keep(entry.folded.bias);
    }
    return entry.folded;
  }

  /** The same weights with a dense kernel's transpose, for a head's gradient. */
  withTransposedKernel(linear: FoldedLinear): LinearWeights {
    const weights = this.folded(linear);
    const entry = this.#entry(linear);
    entry.transposed ??= tf.keep(tf.transpose(weights.kernel as tf.Tensor2D));
    return { ...weights, transposedKernel: entry.transposed };
  }

  /** The same weights packed for PointwiseConv2d, or undefined when the kernel cannot take them. */
  packed(linear: FoldedLinear): PackedPointwiseFilter | undefined {
    const entry = this.#entry(linear);
    if (entry.packed === undefined) {
      const cached = Boolean(entry.folded);
      const weights = this.folded(linear);
      entry.packed = packPointwiseFilter(weights.kernel as tf.Tensor4D, weights.bias) ?? null;
      if (entry.packed) {
        tf.keep(entry.packed.panels);
        tf.keep(entry.packed.bias);
      }
      // Folded only to be packed: the program never reads it.
      if (entry.packed && !cached && entry.folded) {
        tf.dispose([entry.folded.kernel, entry.folded.bias]);
        entry.folded = undefined;
      }
    }
    return entry.packed ?? undefined;
  }

  dispose(): void {
    for (const byBn of this.#entries.values()) {
      for (const { folded, packed, transposed } of byBn.values()) {
        if (folded) tf.dispose([folded.kernel, folded.bias]);
        if (transposed) transposed.dispose();
        if (packed) tf.dispose([packed.panels, packed.bias]);
      }
    }
    this.#entries.clear();
  }
}
