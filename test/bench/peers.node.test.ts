/**
 * The bench's peers hold the same weights as our engine: PyTorch's logits (bench/peers/torch_peer.py, the
 * B0-sized model rebuilt from our weights, Lite0 from its packages) equal our compiled engine's on the
 * peers' input; and the multiply-accumulate count of the floor line is B0's published one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareBenchModels, type BenchModel } from '../../bench/bench-models';
import { opKind } from '../../bench/op-profile';
import { peerInput, startTorchPeer, writeB0Export, type TorchPeer } from '../../bench/peers';
import { multiplyAccumulates } from '../../bench/peers/model-macs';
import { storesFloat16 } from '../../models/import/efficientnet-lite/float16-weights';
import { loadModel } from '../../worker/model/load-model';
import { initWasmBackend } from '../../worker/runtime/wasm-node';
import { venvPython } from '../support/python';

const python = venvPython('the bench peers (PyTorch on the same weights)');
const dir = mkdtempSync(path.join(tmpdir(), 'peers-'));
let models: BenchModel[];

beforeAll(async () => {
  await initWasmBackend();
  models = (await prepareBenchModels(path.join(dir, 'models'))).models;
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function ourLogits(model: BenchModel): Promise<Float32Array> {
  const loaded = await loadModel(model.manifest, model.files);
  try {
    return tf.tidy(() => {
      const x = tf.transpose(tf.tensor4d(peerInput(), [1, 3, 224, 224]), [0, 2, 3, 1]) as tf.Tensor4D;
      const body = loaded.exposed.body(x);
      return loaded.exposed.head(body.activations, body.context).dataSync() as Float32Array;
    });
  } finally {
    loaded.dispose();
  }
}

describe('the bench peers', () => {
  it("counts B0's multiply-accumulates as published (0.39 G)", async () => {
    const b0 = models.find((m) => m.manifest.id === 'efficientnet-b0-random')!;
    const macs = await multiplyAccumulates(b0);
    expect(macs).toBeGreaterThan(0.38e9);
    expect(macs).toBeLessThan(0.4e9);
  });

  it('sorts kernels by kind: a 1×1 convolution on a 1×1 map is squeeze-and-excitation', () => {
    expect(opKind('PointwiseConv2d', [[1, 14, 14, 96], [12, 96, 8]], [1, 14, 14, 96])).toBe('1×1 convolution');
    expect(opKind('FusedConv2D', [[1, 1, 1, 96], [1, 1, 96, 4]], [1, 1, 1, 4])).toBe('squeeze-and-excitation');
    expect(opKind('FusedConv2D', [[1, 224, 224, 3], [3, 3, 3, 32]], [1, 112, 112, 32])).toBe('3×3 / stem convolution');
    expect(opKind('Multiply', [[1, 14, 14, 96], [1, 1, 1, 96]], [1, 14, 14, 96])).toBe('squeeze-and-excitation');
    expect(opKind('DepthwiseConv2dBiasActivation', [[1, 14, 14, 96]], [1, 14, 14, 96])).toBe('depthwise');
  });

  describe.skipIf(!python)('PyTorch', () => {
    let torch: TorchPeer;
    beforeAll(async () => {
      const b0 = models.find((m) => m.manifest.id === 'efficientnet-b0-random')!;
      writeB0Export(b0, path.join(dir, 'b0'));
      const lite0 = models.find((m) => m.manifest.id === 'efficientnet-lite0')!;
      torch = await startTorchPeer(dir, storesFloat16(lite0));
    }, 180_000);
    afterAll(() => torch?.stop());

    for (const id of ['efficientnet-b0-random', 'efficientnet-lite0']) {
      it(`computes our logits for ${id} (the same weights)`, async () => {
        const ours = await ourLogits(models.find((m) => m.manifest.id === id)!);
        const theirs = await torch.logits(id);
        const range = Math.max(...theirs) - Math.min(...theirs);
        let worst = 0;
        theirs.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ours[i]))));
        expect(worst / range).toBeLessThanOrEqual(1e-3);
        const [ms] = await torch.time(id, 'forward', 1);
        expect(ms).toBeGreaterThan(0);
      });
    }
  });
});
