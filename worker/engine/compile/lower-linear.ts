/**
 * Lowering a linear group (a Conv2D, DepthwiseConv2D or Dense with the batch norm and activation it
 * absorbed) into one step, choosing how it runs:
 *  - in the body, a 1×1 convolution on the PointwiseConv2d kernel from packed filters, where the backend
 *    has it; a depthwise convolution with its bias and activation on DepthwiseConv2dBiasActivation, where
 *    it applies (decided per call: it depends on the input's shape); anything else as TF.js's fused op,
 *    with an activation it cannot fuse applied after it;
 *  - in the head, op by op: unfused convolutions, whose gradient w.r.t. the input does not compute the
 *    filter gradient, and dense layers whose gradient avoids the backend's slow transposed MatMul.
 */
import * as tf from '@tensorflow/tfjs-core';
import { depthwiseConv2dFused } from '../../runtime/kernels/depthwise-conv-kernel';
import { POINTWISE_CONV2D, pointwiseConv2d } from '../../runtime/kernels/pointwise-conv-kernel';
import type { Activation } from './activations';
import type { LinearGroup } from './fusion-plan';
import { isPointwise, type LayerNodeSpec, type LinearLayer } from './layer-specs';
import type { FoldedLinear, LinearWeights } from './linear-weight-cache';
import { activationInContext, type LoweringContext } from './lowering-context';
import type { Step } from './program';

/**
 * x·W whose gradient is dy·Wᵀ with Wᵀ transposed once, at load: TF.js's own gradient of a MatMul
 * multiplies by a transposed operand, a slow path in the WASM backend (3.5 ms against 0.34 for B0's
 * 1280×1000 classifier and three targets).
 */
function denseWithFastGradient(kernel: tf.Tensor2D, transposedKernel: tf.Tensor2D): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad((x) => ({
    value: tf.matMul(x as tf.Tensor2D, kernel),
    gradFunc: (dy) => tf.matMul(dy as tf.Tensor2D, transposedKernel),
  }));
}

/** Runs a linear layer with its (folded) weights and an activation: fused in the body, op by op in the head. */
function linearOp(spec: LinearLayer, weights: LinearWeights, activation: Activation, context: LoweringContext) {
  const { kernel, bias } = weights;
  const { strides, pad, dilations } = spec;
  if (context.fuseActivations) {
    const fused = activation.fused ?? 'linear';
    const leakyreluAlpha = activation.leakyreluAlpha;
    const after = activation.fused ? undefined : activation;
    // The activation DepthwiseConv2dBiasActivation would run this layer with, when it may.
    const depthwiseKernel = context.kernels.depthwise && spec.kind === 'depthwise' ? activation.kernel : undefined;
    return (x: tf.Tensor): tf.Tensor => {
      if (depthwiseKernel && bias) {
        const y = depthwiseConv2dFused(x as tf.Tensor4D, kernel as tf.Tensor4D, bias, { strides, pad, activation: depthwiseKernel });
        if (y) return y;
      }
      let z: tf.Tensor;
      if (spec.kind === 'dense') {
        z = tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel as tf.Tensor2D, bias, activation: fused, leakyreluAlpha });
      } else {
        const args = { x: x as tf.Tensor4D, filter: kernel as tf.Tensor4D, strides, pad, dataFormat: 'NHWC' as const, dilations, bias, activation: fused, leakyreluAlpha };
        z = spec.kind === 'conv2d' ? tf.fused.conv2d(args) : tf.fused.depthwiseConv2d(args);
      }
      if (!after) return z;
      const y = after.apply(z);
      z.dispose();
      return y;
    };
  }
  const dense =
    spec.kind !== 'dense' ? undefined
    : weights.transposedKernel ? denseWithFastGradient(kernel as tf.Tensor2D, weights.transposedKernel)
    : (x: tf.Tensor) => tf.matMul(x as tf.Tensor2D, kernel as tf.Tensor2D);
  return (x: tf.Tensor): tf.Tensor => {
    let z: tf.Tensor = dense
      ? dense(x)
      : spec.kind === 'conv2d'
        ? tf.conv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides, pad, 'NHWC', dilations)
        : tf.depthwiseConv2d(x as tf.Tensor4D, kernel as tf.Tensor4D, strides, pad, 'NHWC', dilations);
    if (bias) {
      const biased = tf.add(z, bias);
      z.dispose();
      z = biased;
    }
    const y = activation.apply(z);
    if (y !== z) z.dispose();
    return y;
  };
}

/** The step that runs a linear group. */
export function lowerLinear(group: LinearGroup<LayerNodeSpec>, context: LoweringContext): Step {
  const { linear, batchNorm } = group;
  // The plan groups only nodes the readers found linear, with their own activation, and batch norms with their parameters.
  const spec = linear.linear!;
  const activation = group.activation?.activation ?? linear.activation!;
  const folded: FoldedLinear = { layer: linear.layer, spec, batchNorm: batchNorm && { layer: batchNorm.layer, params: batchNorm.batchNorm! } };
  const name = [linear, batchNorm, group.activation].flatMap((node) => (node ? [node.layer.name] : [])).join('+');
  const step = (run: (x: tf.Tensor) => tf.Tensor): Step => ({ name, inputs: group.inputs, outputs: group.outputs, run: ([x]) => [run(x)] });

  const pointwiseActivation = activation.kernel;
  if (context.kernels.pointwise && pointwiseActivation && isPointwise(spec) && tf.getKernel(POINTWISE_CONV2D, tf.getBackend())) {
    const packed = context.weights.packed(folded);
    if (packed) return step((x) => pointwiseConv2d(x as tf.Tensor4D, packed, pointwiseActivation));
  }
  const weights = context.mode === 'head' && spec.kind === 'dense' ? context.weights.withTransposedKernel(folded) : context.weights.folded(folded);
  return step(linearOp(spec, weights, activationInContext(activation, context), context));
}
