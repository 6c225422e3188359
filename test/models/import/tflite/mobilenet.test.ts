/** The real uint8 MobileNetV2 of ../shared/fixtures through the importer and the worker's loader, in Node. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { manifestForImport } from '../../../../models/import/imported-model';
import { importTflite } from '../../../../models/import/tflite/import-tflite';
import { readTfliteModel } from '../../../../models/import/tflite/schema';
import { loadModel } from '../../../../worker/model/load-model';
import { initWasmBackend } from '../../../../worker/runtime/wasm-node';

const FILE = path.resolve(import.meta.dirname, '../../../../../shared/fixtures/models/mobilenet_v2_1.0_224_quant/mobilenet_v2_1.0_224_quant.tflite');
const present = existsSync(FILE);
if (!present) console.warn(`skipping the MobileNetV2 import tests: ${FILE} is absent`);

describe.skipIf(!present)('importTflite on the real MobileNetV2 (uint8)', () => {
  it('reads its metadata labels, quantised input and softmax output, and splits at the 7×7×1280 tensor', async () => {
    const imported = await importTflite(new Uint8Array(readFileSync(FILE)));
    expect(imported.format).toBe('tfjs-graph');
    expect(imported.input).toEqual({ width: 224, height: 224, name: 'input' });
    expect(imported.output).toEqual({ activation: 'softmax', name: 'MobilenetV2/Predictions/Softmax', classes: 1001 });
    // real = (q − 128) / 128 with q the pixel.
    expect(imported.preprocessing).toEqual({ mean: [128, 128, 128], std: [128, 128, 128] });
    expect(imported.labels).toHaveLength(1001);
    expect(imported.notes).toEqual([]);
    // Every weight of the file became a float32 weight (the RESHAPE's shape tensor is not one).
    const tflite = readTfliteModel(new Uint8Array(readFileSync(FILE)));
    const constants = tflite.subgraphs[0].tensors.filter((t) => (tflite.buffers[t.buffer].data?.length ?? 0) > 0 && t.quantization?.scale.length);
    const json = JSON.parse(new TextDecoder().decode(imported.files.get('model.json'))) as { weightsManifest: { weights: { shape: number[]; dtype: string }[] }[] };
    const floats = json.weightsManifest[0].weights.filter((w) => w.dtype === 'float32');
    const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
    expect(floats.reduce((n, w) => n + size(w.shape), 0)).toBe(constants.reduce((n, t) => n + size(t.shape), 0));
    expect(floats).toHaveLength(constants.length);

    const manifest = await manifestForImport(imported, { id: 'mobilenet-v2' });
    expect(manifest.output.labelOffset).toBe(1);
    expect(manifest.labels[0]).toBe('tench, Tinca tinca');
    expect(manifest.labels).toHaveLength(1000);

    await initWasmBackend();
    const model = await loadModel(manifest, imported.files);
    expect(model.exposed.layer).toEqual({ name: 'MobilenetV2/Conv_1/Relu6', shape: [7, 7, 1280] });
    const before = tf.memory().numTensors;
    const logits = tf.tidy(() => {
      const body = model.exposed.body(tf.zeros([1, 224, 224, 3]));
      return model.exposed.head(body.activations, body.context);
    });
    expect(logits.shape).toEqual([1, 1001]);
    logits.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });
});
