/**
 * An EfficientNet-B0-sized model for timing: the real B0 topology (Tan & Le 2019, table 1: stem 32, MBConv
 * stages with expansion 1/6, kernels 3/5, squeeze-and-excitation 0.25, swish, batch norm, top 1280, global
 * average pooling, dense 1000) at 224×224, built by the compact model's own builder at width and depth
 * 1.0, with random weights and random batch-norm statistics (so that folding them is not a no-op).
 * 5.33 M parameters, 21 MB of float32: built at bench time, never committed.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildEfficientNet, GRADCAM_LAYER, type BlockSpec, type EfficientNetSpec } from '../models/training/efficientnet-tfjs';

export const B0_ID = 'efficientnet-b0-random';

/** B0's stages: expansion, kernel, stride, input filters, output filters, repeats (Tan & Le 2019, table 1). */
const B0_STAGES = [
  [1, 3, 1, 32, 16, 1],
  [6, 3, 2, 16, 24, 2],
  [6, 5, 2, 24, 40, 2],
  [6, 3, 2, 40, 80, 3],
  [6, 5, 1, 80, 112, 3],
  [6, 5, 2, 112, 192, 4],
  [6, 3, 1, 192, 320, 1],
] as const;
const SE_RATIO = 0.25;

export function efficientNetB0Spec(numClasses = 1000): EfficientNetSpec {
  const blocks: BlockSpec[] = B0_STAGES.flatMap(([expandRatio, kernel, stride, inFilters, outFilters, repeats], stage) =>
    Array.from({ length: repeats }, (_, j) => {
      const inputFilters = j === 0 ? inFilters : outFilters;
      return {
        name: `block${stage + 1}${String.fromCharCode(97 + j)}`,
        inputFilters,
        outputFilters: outFilters,
        expandRatio,
        kernel,
        stride: j === 0 ? stride : 1,
        seFilters: Math.max(1, Math.floor(inputFilters * SE_RATIO)),
      };
    }),
  );
  return { inputSize: 224, numClasses, bnEpsilon: 1e-3, stemFilters: 32, blocks, topFilters: 1280 };
}

/** Gives every BatchNormalization random statistics, deterministically (seeded). */
export function randomizeBatchNorms(model: tfl.LayersModel, seed = 1): void {
  let s = seed;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const [gamma, beta, mean, variance] = layer.getWeights();
    const values = tf.tidy(() => [
      tf.randomUniform(gamma.shape, 0.5, 1.5, 'float32', s++),
      tf.randomUniform(beta.shape, -0.2, 0.2, 'float32', s++),
      tf.randomUniform(mean.shape, -0.2, 0.2, 'float32', s++),
      tf.randomUniform(variance.shape, 0.5, 1.5, 'float32', s++),
    ]);
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** Builds the B0-sized model with random weights. */
export function buildEfficientNetB0(): tfl.LayersModel {
  const model = buildEfficientNet(efficientNetB0Spec());
  randomizeBatchNorms(model);
  return model;
}

export { GRADCAM_LAYER as B0_GRADCAM_LAYER };
