/**
 * A LayersModel's multiply-accumulates per image: every Conv2D (out_h·out_w·k_h·k_w·c_in·c_out),
 * DepthwiseConv2D (out_h·out_w·k_h·k_w·c·multiplier) and Dense (in·out). Element-wise work, pooling and
 * batch norm (folded away by the engine) are not counted: the floor it gives is the convolutions' alone.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { ModelFolder } from '../../scripts/model-folders';
import { memoryIOHandler } from '../../worker/model/memory-io-handler';

export async function multiplyAccumulates({ manifest, files }: Pick<ModelFolder, 'manifest' | 'files'>): Promise<number> {
  if (manifest.format !== 'tfjs-layers') return Number.NaN;
  const model = await tfl.loadLayersModel(memoryIOHandler(files, manifest.modelFile));
  try {
    let macs = 0;
    for (const layer of model.layers) {
      const kind = layer.getClassName();
      const out = layer.outputShape as number[];
      const kernel = layer.weights.find((w) => /(depthwise_)?kernel$/.test(w.originalName))?.shape as number[] | undefined;
      if (!kernel) continue;
      if (kind === 'Conv2D' || kind === 'DepthwiseConv2D') macs += out[1] * out[2] * kernel.reduce((a, b) => a * b, 1);
      else if (kind === 'Dense') macs += kernel[0] * kernel[1];
    }
    return macs;
  } finally {
    model.dispose();
  }
}
