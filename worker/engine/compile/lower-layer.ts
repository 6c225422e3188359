/**
 * Lowering a node that is not (part of) a linear group into one step: a closure over the layer's weights
 * and attributes for the layers the compiler knows (activations, batch norm, pooling, padding, reshapes,
 * merges), and the layer's own `apply` for any other, so that every model compiles.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spatialMean, spatialMeanWithGradient } from '../spatial-mean';
import type { LayerGroup } from './fusion-plan';
import { pair, type LayerConfig } from './layer-config';
import type { LayerNodeSpec } from './layer-specs';
import { activationInContext, type LoweringContext } from './lowering-context';
import type { Step } from './program';

/** The step that runs a node on its own. */
export function lowerLayer(group: LayerGroup<LayerNodeSpec>, context: LoweringContext): Step {
  const { node, layer, rank, role } = group.layer;
  const { inputs } = group;
  const single = (run: (x: tf.Tensor) => tf.Tensor): Step => ({ name: layer.name, inputs, outputs: group.outputs, run: ([x]) => [run(x)] });
  const config = layer.getConfig() as LayerConfig;
  const channelsLast = (config.dataFormat ?? 'channelsLast') === 'channelsLast';
  if (role === 'activation') {
    const activation = activationInContext(group.layer.activation!, context);
    return single((x) => activation.apply(x));
  }
  if (role === 'batch-norm') {
    const bn = group.layer.batchNorm!;
    return single((x) => tf.batchNorm(x, bn.mean, bn.variance, bn.beta, bn.gamma, bn.epsilon));
  }
  switch (layer.getClassName()) {
    case 'GlobalAveragePooling2D':
      if (!channelsLast || rank !== 4) break;
      return single((x) => (context.mode === 'head' ? spatialMeanWithGradient : spatialMean)(x as tf.Tensor4D));
    case 'GlobalMaxPooling2D':
      if (channelsLast && rank === 4) return single((x) => tf.max(x, [1, 2]));
      break;
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      if (!channelsLast || rank !== 4 || (config.padding !== 'same' && config.padding !== 'valid')) break;
      const poolSize = pair(config.poolSize, 2);
      const strides = pair(config.strides ?? config.poolSize, 2);
      const pool = layer.getClassName() === 'MaxPooling2D' ? tf.maxPool : tf.avgPool;
      return single((x) => pool(x as tf.Tensor4D, poolSize, strides, config.padding));
    }
    case 'ZeroPadding2D': {
      if (!channelsLast || rank !== 4) break;
      const [[top, bottom], [left, right]] = config.padding as [[number, number], [number, number]];
      return single((x) => tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]));
    }
    case 'Reshape': {
      const target = config.targetShape as number[];
      return single((x) => tf.reshape(x, [x.shape[0], ...target]));
    }
    case 'Flatten':
      return single((x) => tf.reshape(x, [x.shape[0], -1]));
    case 'Add':
    case 'Multiply': {
      // Pairwise from the left, as tfjs-layers does, so sums round the same way.
      const op = layer.getClassName() === 'Add' ? tf.add : tf.mul;
      return {
        name: layer.name,
        inputs,
        outputs: [node.outputTensors[0].id],
        run: (values) => {
          let acc = op(values[0], values[1]);
          for (const x of values.slice(2)) {
            const next = op(acc, x);
            acc.dispose();
            acc = next;
          }
          return [acc];
        },
      };
    }
    case 'Concatenate': {
      const axis = (config.axis as number | undefined) ?? -1;
      return { name: layer.name, inputs, outputs: [node.outputTensors[0].id], run: (values) => [tf.concat(values, axis)] };
    }
  }
  // Anything else runs as tfjs-layers runs it; its temporaries die with the program's scope.
  const callArgs = node.callArgs ?? {};
  return {
    name: `${layer.name} (${layer.getClassName()}, as is)`,
    inputs,
    outputs: group.outputs,
    run: (values) => {
      const result = layer.apply(values.length === 1 ? values[0] : values, callArgs) as tf.Tensor | tf.Tensor[];
      return Array.isArray(result) ? result : [result];
    },
  };
}
