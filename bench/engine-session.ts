/**
 * The engine operations the benchmark times, runtime-neutral: the Node harness calls them in-process and
 * the bench worker (bench/worker-bench.ts) calls them inside workerd, with the same engine modules the
 * worker uses. One session holds one model in several variants, so that every variant is timed in the
 * same process, interleaved, under the same noise.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { compileLayersModel, type CompileLayersOptions } from '../worker/engine/compile/compile-layers-model';
import { explainClasses } from '../worker/explain/explain-classes';
import { DEFAULT_METHOD, type MethodName } from '../worker/explain/methods';
import { exposeLayersModel } from '../worker/engine/expose-layers-model';
import { disposeBodyOutput, type ExposedModel } from '../worker/engine/exposed-model';
import { loadModel } from '../worker/model/load-model';
import type { ModelManifest } from '../worker/model/manifest';
import { memoryIOHandler, type ModelFiles } from '../worker/model/memory-io-handler';

/**
 * How a model is run, from TF.js as it comes to everything this project adds (listed in the order the
 * benchmark samples them, so that the variants it compares are timed next to each other):
 * - `layers`: `model.predict` of the LayersModel (forward only; Grad-CAM needs a split);
 * - `plain`: the layer-by-layer split of engine/expose-layers-model.ts;
 * - `graph`, `fold`, `fuse`, `swish`, `depthwise`, `compiled`: engine/compile/compile-layers-model.ts with more
 *   and more of its optimisations (plain op closures; + batch norm folded; + bias and activation fused;
 *   + the one-pass swish kernel; + the one-pass depthwise kernel (bias and activation fused); + the pointwise convolution
 *   kernel, i.e. everything: what the worker runs).
 */
export const VARIANTS = ['layers', 'compiled', 'depthwise', 'swish', 'fuse', 'fold', 'graph', 'plain'] as const;
export type Variant = (typeof VARIANTS)[number];

const COMPILE_OPTIONS: Record<Exclude<Variant, 'layers' | 'plain'>, CompileLayersOptions> = {
  graph: { foldBatchNorm: false, fuseActivations: false, swishKernel: false, depthwiseKernel: false, pointwiseKernel: false },
  fold: { foldBatchNorm: true, fuseActivations: false, swishKernel: false, depthwiseKernel: false, pointwiseKernel: false },
  fuse: { foldBatchNorm: true, fuseActivations: true, swishKernel: false, depthwiseKernel: false, pointwiseKernel: false },
  swish: { foldBatchNorm: true, fuseActivations: true, swishKernel: true, depthwiseKernel: false, pointwiseKernel: false },
  depthwise: { foldBatchNorm: true, fuseActivations: true, swishKernel: true, depthwiseKernel: true, pointwiseKernel: false },
  compiled: { foldBatchNorm: true, fuseActivations: true, swishKernel: true, depthwiseKernel: true, pointwiseKernel: true },
};

export type Operation = 'forward' | 'gradcam' | 'noop';

export interface MemorySample {
  /** Size of the WASM memory (it only grows, so this is the peak so far). */
  heapBytes: number;
  numTensors: number;
  numBytes: number;
}

/** The WASM backend's memory, read from the Emscripten module the backend holds. */
export function memorySample(): MemorySample {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8: Uint8Array } };
  const { numTensors, numBytes } = tf.memory();
  return { heapBytes: backend.wasm?.HEAPU8.buffer.byteLength ?? 0, numTensors, numBytes };
}

/** A deterministic input in the model's preprocessed space (pixels uniform in [0, 255], then normalised). */
function benchInput(manifest: ModelManifest): tf.Tensor4D {
  const { width, height } = manifest.input;
  const { mean, std } = manifest.preprocessing;
  return tf.tidy(() => {
    const pixels = tf.randomUniform([1, height, width, 3], 0, 255, 'float32', 42);
    return tf.div(tf.sub(pixels, tf.tensor1d(mean)), tf.tensor1d(std)) as tf.Tensor4D;
  });
}

/** The variants that apply to a model: all of them for a LayersModel, the plain split for a GraphModel. */
export function variantsFor(manifest: ModelManifest): readonly Variant[] {
  return manifest.format === 'tfjs-layers' ? VARIANTS : ['plain'];
}

/** Grad-CAM is timed for the worker's two paths; the intermediate variants only show what each step pays. */
export function explainsWith(variant: Variant): boolean {
  return variant === 'plain' || variant === 'compiled';
}

export class EngineSession {
  readonly #manifest: ModelManifest;
  readonly #input: tf.Tensor4D;
  readonly #exposed = new Map<Variant, ExposedModel>();
  #predict?: (x: tf.Tensor4D) => tf.Tensor;
  readonly #disposers: (() => void)[] = [];

  private constructor(manifest: ModelManifest) {
    this.#manifest = manifest;
    this.#input = benchInput(manifest);
  }

  /** Loads a model and prepares `variants` of it (split at the manifest's layer). */
  static async open(manifest: ModelManifest, files: ModelFiles, variants: readonly Variant[]): Promise<EngineSession> {
    const session = new EngineSession(manifest);
    if (manifest.format !== 'tfjs-layers') {
      if (variants.some((v) => v !== 'plain')) throw new Error(`${manifest.id} is a ${manifest.format} model: only the plain path applies`);
      const loaded = await loadModel(manifest, files);
      session.#disposers.push(() => loaded.dispose());
      session.#exposed.set('plain', loaded.exposed);
      return session;
    }
    const model = await tfl.loadLayersModel(memoryIOHandler(files, manifest.modelFile));
    session.#disposers.push(() => model.dispose());
    session.#predict = (x) => model.predict(x) as tf.Tensor;
    const split = { layer: manifest.gradcamLayer, stripActivation: manifest.output.activation };
    for (const variant of variants) {
      if (variant === 'layers') continue;
      if (variant === 'plain') {
        session.#exposed.set(variant, exposeLayersModel(model, split));
        continue;
      }
      const compiled = compileLayersModel(model, COMPILE_OPTIONS[variant]);
      session.#disposers.unshift(() => compiled.dispose());
      session.#exposed.set(variant, compiled.expose(split));
    }
    return session;
  }

  /** Runs `operation` `reps` times; an explanation ("gradcam") explains the top `k` classes with `method`. */
  run(variant: Variant, operation: Operation, reps: number, k = 1, method: MethodName = DEFAULT_METHOD): void {
    for (let i = 0; i < reps; i++) {
      if (operation === 'forward') this.#forward(variant);
      else if (operation === 'gradcam') this.#explain(variant, k, method);
    }
  }

  /** Logits as the explain path computes them (body, then head), read back to JavaScript. */
  #forward(variant: Variant): void {
    if (variant === 'layers') {
      if (!this.#predict) throw new Error(`${this.#manifest.id} has no LayersModel to predict with`);
      const output = this.#predict(this.#input);
      output.dataSync();
      output.dispose();
      return;
    }
    const exposed = this.#exposedModel(variant);
    const body = exposed.body(this.#input);
    const logits = exposed.head(body.activations, body.context);
    logits.dataSync();
    logits.dispose();
    disposeBodyOutput(body);
  }

  #explain(variant: Variant, k: number, method: MethodName): void {
    explainClasses(this.#exposedModel(variant), this.#input, {
      targets: { top: k },
      method,
      activation: this.#manifest.output.activation,
      ignoredOutputs: this.#manifest.output.labelOffset,
    });
  }

  #exposedModel(variant: Variant): ExposedModel {
    const exposed = this.#exposed.get(variant);
    if (!exposed) throw new Error(`variant ${variant} has no split (layers runs forward only)`);
    return exposed;
  }

  dispose(): void {
    for (const dispose of this.#disposers) dispose();
    this.#input.dispose();
  }
}
