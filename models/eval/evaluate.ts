/**
 * `npm run eval`: the compact EfficientNet on the fixed held-out scenes (models/scenes/splits), in TF.js
 * with the service's own loading, preprocessing and Grad-CAM (worker/model, worker/explain).
 *
 * - classification: per-class AP and mAP over every scene;
 * - localisation, for every present class, of every explanation method (worker/explain/methods) and of
 *   three model-blind baselines (random, centred Gaussian, Sobel edges): pointing game, energy in box,
 *   and — in scenes with ≥ 2 classes — the share of the map on objects of other classes: one leaderboard;
 * - faithfulness: deletion and insertion AUC (Petsiuk et al. 2018) on the first `--faithfulness-scenes`
 *   scenes, all by default (each curve costs `--steps` − 1 forward passes, the evaluation's dominant cost);
 * - a Markdown table on stdout, `eval.json` and `examples.png` (maps overlaid) in `--out`.
 *
 * Options: --model models/compact-efficientnet, --scenes 1000, --faithfulness-scenes 1000, --steps 10,
 * --examples 12, --out artifacts/eval, --backend wasm|cpu.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { explainClasses } from '../../worker/explain/explain-classes';
import { DEFAULT_METHOD, METHOD_NAMES } from '../../worker/explain/methods';
import { disposeBodyOutput, type ExposedModel } from '../../worker/engine/exposed-model';
import { normalizeMinMax } from '../../worker/explain/normalize';
import { loadModel } from '../../worker/model/load-model';
import { parseManifest, type ModelManifest } from '../../worker/model/manifest';
import { toModelInput } from '../../worker/model/preprocess';
import { generateScene, type Scene } from '../scenes/generate-scene';
import { EVAL_SCENE_SEEDS, evalSceneSeed } from '../scenes/splits';
import { centredGaussianMap, randomMap, sobelEdgeMap } from './baselines';
import { blurForInsertion } from './blur';
import { averagePrecision } from './metrics/average-precision';
import { otherClassShare } from './metrics/class-discrimination';
import { curveAuc, curveImages, saliencyOrder } from './metrics/deletion-insertion';
import { energyInBox } from './metrics/energy-in-box';
import { argmax, pointingGameHit, toleranceForSize } from './metrics/pointing-game';
import { composeGrid, overlayTile } from './overlay-grid';
import { encode as encodePng } from 'fast-png';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** Every map the leaderboard ranks: the service's methods, then the model-blind baselines. */
export const EVAL_MAPS = [...METHOD_NAMES, 'random', 'centred-gaussian', 'sobel-edges'] as const;
type Method = (typeof EVAL_MAPS)[number];
const SCORE_BATCH = 32;

export interface EvalOptions {
  modelDir: string;
  scenes: number;
  faithfulnessScenes: number;
  steps: number;
  examples: number;
}

class Mean {
  sum = 0;
  count = 0;
  add(v: number): void {
    this.sum += v;
    this.count++;
  }
  get value(): number {
    return this.count ? this.sum / this.count : NaN;
  }
}

/** One map's numbers, averaged over class instances (localisation) or curves (faithfulness). */
export interface MethodSummary {
  pointingGame: number;
  energyInBox: number;
  otherClassShare: number;
  deletionAuc: number;
  insertionAuc: number;
  counts: { classInstances: number; multiClassInstances: number; curves: number };
}

interface MethodStats {
  pointingGame: Mean;
  energyInBox: Mean;
  otherClassShare: Mean;
  deletionAuc: Mean;
  insertionAuc: Mean;
}

async function readModel(modelDir: string): Promise<{ manifest: ModelManifest; files: Map<string, Uint8Array> }> {
  const manifest = parseManifest(JSON.parse(await readFile(path.join(modelDir, 'manifest.json'), 'utf8')));
  const files = new Map<string, Uint8Array>();
  for (const f of manifest.files) files.set(f.path, new Uint8Array(await readFile(path.join(modelDir, f.path))));
  return { manifest, files };
}

/** Class scores (after the manifest's activation) of images given as RGB floats in pixel units. */
function scoreImages(exposed: ExposedModel, manifest: ModelManifest, images: Float32Array[]): Float32Array[] {
  const { width, height } = manifest.input;
  const results: Float32Array[] = [];
  for (let start = 0; start < images.length; start += SCORE_BATCH) {
    const batch = images.slice(start, start + SCORE_BATCH);
    const flat = new Float32Array(batch.length * width * height * 3);
    batch.forEach((img, i) => flat.set(img, i * img.length));
    const scores = tf.tidy(() => {
      const x = tf.tensor4d(flat, [batch.length, height, width, 3]);
      const { mean, std } = manifest.preprocessing;
      const input = tf.div(tf.sub(x, tf.tensor1d(mean)), tf.tensor1d(std)) as tf.Tensor4D;
      const body = exposed.body(input);
      const logits = exposed.head(body.activations, body.context);
      disposeBodyOutput(body);
      return tf.sigmoid(logits);
    });
    const values = scores.dataSync() as Float32Array;
    const classes = scores.shape[1];
    scores.dispose();
    batch.forEach((_, i) => results.push(values.slice(i * classes, (i + 1) * classes)));
  }
  return results;
}

/** A map at the layer's resolution → the image's, bilinear with half-pixel centres (as the preprocessing). */
function upsample(values: Float32Array, mapWidth: number, mapHeight: number, width: number, height: number): Float32Array {
  return tf.tidy(() => {
    const map = tf.tensor3d(values, [mapHeight, mapWidth, 1]);
    return tf.image.resizeBilinear(map, [height, width], false, true).dataSync() as Float32Array;
  });
}

/** Deletion and insertion AUCs of every (method, present class) in one scene, scored in shared batches. */
function faithfulness(
  scene: Scene,
  maps: Map<Method, Map<number, Float32Array>>,
  exposed: ExposedModel,
  manifest: ModelManifest,
  steps: number,
): { curves: Map<Method, { deletion: number[]; insertion: number[] }>; ends: { image: number[]; deleted: number[]; blurred: number[] } } {
  const { width, height } = scene;
  const pixels = Float32Array.from(scene.image);
  // Deleted pixels take the preprocessing mean: zero in the model's input, as RISE deletes to zeros.
  const substrate = new Float32Array(pixels.length);
  for (let i = 0; i < substrate.length; i++) substrate[i] = manifest.preprocessing.mean[i % 3];
  const blurred = blurForInsertion(pixels, width, height);

  // Curves share their ends (image, substrate, blurred): score those once, and only the interior per curve.
  const images: Float32Array[] = [pixels, substrate, blurred];
  const curves: { method: Method; classes: number[]; deletion: number; insertion: number }[] = [];
  for (const [method, byClass] of maps) {
    // A class-blind map gives one pair of curves that every present class is read from.
    const distinct = new Map<Float32Array, number[]>();
    for (const [c, map] of byClass) distinct.set(map, [...(distinct.get(map) ?? []), c]);
    for (const [map, classes] of distinct) {
      const order = saliencyOrder(map);
      const deletion = images.length;
      images.push(...curveImages(pixels, substrate, order, steps).slice(1, -1));
      const insertion = images.length;
      images.push(...curveImages(blurred, pixels, order, steps).slice(1, -1));
      curves.push({ method, classes, deletion, insertion });
    }
  }
  const scores = scoreImages(exposed, manifest, images);
  const result = new Map<Method, { deletion: number[]; insertion: number[] }>();
  for (const { method, classes, deletion, insertion } of curves) {
    const entry = result.get(method) ?? { deletion: [], insertion: [] };
    for (const c of classes) {
      const interior = (start: number) => Array.from({ length: steps - 1 }, (_, k) => scores[start + k][c]);
      entry.deletion.push(curveAuc([scores[0][c], ...interior(deletion), scores[1][c]]));
      entry.insertion.push(curveAuc([scores[2][c], ...interior(insertion), scores[0][c]]));
    }
    result.set(method, entry);
  }
  const present = [...(maps.get('grad-cam')?.keys() ?? [])];
  const ends = { image: present.map((c) => scores[0][c]), deleted: present.map((c) => scores[1][c]), blurred: present.map((c) => scores[2][c]) };
  return { curves: result, ends };
}

export async function evaluate(options: EvalOptions) {
  const tensorsBefore = tf.memory().numTensors;
  const { manifest, files } = await readModel(options.modelDir);
  const loaded = await loadModel(manifest, files);
  const { width, height } = manifest.input;
  const classes = manifest.labels.length;
  const tolerance = toleranceForSize(Math.min(width, height));
  const gaussian = centredGaussianMap(width, height);
  const stats = new Map<Method, MethodStats>(
    EVAL_MAPS.map((m) => [m, { pointingGame: new Mean(), energyInBox: new Mean(), otherClassShare: new Mean(), deletionAuc: new Mean(), insertionAuc: new Mean() }]),
  );
  const scoresByClass = Array.from({ length: classes }, () => new Float32Array(options.scenes));
  const labelsByClass = Array.from({ length: classes }, () => new Uint8Array(options.scenes));
  const exampleRows: (Uint8Array | null)[][] = [];
  /** Mean score of the present classes at the curves' shared ends: what deletion and insertion move between. */
  const endScores = { image: new Mean(), deleted: new Mean(), blurred: new Mean() };
  const started = performance.now();

  for (let i = 0; i < options.scenes; i++) {
    const scene = generateScene(evalSceneSeed(i), { size: width });
    const present = [...new Set(scene.objects.map((o) => o.classIndex))];
    const input = toModelInput({ width, height, data: scene.image }, manifest);
    const explained = METHOD_NAMES.map((method) => explainClasses(loaded.exposed, input, { targets: { classes: present }, activation: manifest.output.activation, method }));
    input.dispose();
    const { scores } = explained[0]; // every method's forward pass scores the same
    for (let c = 0; c < classes; c++) scoresByClass[c][i] = scores[c];
    for (const c of present) labelsByClass[c][i] = 1;

    const upsampled = explained.map(({ explanations }) => new Map(explanations.map((e) => [e.index, upsample(e.values, e.width, e.height, width, height)])));
    const cams = upsampled[METHOD_NAMES.indexOf(DEFAULT_METHOD)];
    const randomBaseline = randomMap(width, height, evalSceneSeed(i));
    const sobel = sobelEdgeMap(scene.image, width, height);
    const maps = new Map<Method, Map<number, Float32Array>>([
      ...METHOD_NAMES.map((method, m): [Method, Map<number, Float32Array>] => [method, upsampled[m]]),
      ['random', new Map(present.map((c) => [c, randomBaseline]))],
      ['centred-gaussian', new Map(present.map((c) => [c, gaussian]))],
      ['sobel-edges', new Map(present.map((c) => [c, sobel]))],
    ]);

    const masks = new Map(present.map((c) => [c, new Uint8Array(width * height)]));
    for (const o of scene.objects) o.mask.forEach((m, p) => m && (masks.get(o.classIndex)![p] = 1));
    for (const [method, byClass] of maps) {
      const s = stats.get(method)!;
      for (const c of present) {
        const map = byClass.get(c)!;
        const object = scene.objects.find((o) => o.classIndex === c)!;
        s.pointingGame.add(pointingGameHit(map, masks.get(c)!, width, height, tolerance) ? 1 : 0);
        s.energyInBox.add(energyInBox(map, width, object.box));
        if (present.length >= 2) {
          const others = new Uint8Array(width * height);
          for (const o of scene.objects) if (o.classIndex !== c) o.mask.forEach((m, p) => m && (others[p] = 1));
          s.otherClassShare.add(otherClassShare(map, others));
        }
      }
    }
    if (i < options.faithfulnessScenes) {
      const { curves, ends } = faithfulness(scene, maps, loaded.exposed, manifest, options.steps);
      for (const [method, { deletion, insertion }] of curves) {
        deletion.forEach((v) => stats.get(method)!.deletionAuc.add(v));
        insertion.forEach((v) => stats.get(method)!.insertionAuc.add(v));
      }
      ends.image.forEach((v) => endScores.image.add(v));
      ends.deleted.forEach((v) => endScores.deleted.add(v));
      ends.blurred.forEach((v) => endScores.blurred.add(v));
    }
    if (i < options.examples) {
      exampleRows.push([
        scene.image,
        ...present.map((c) => {
          const cam = cams.get(c)!;
          const object = scene.objects.find((o) => o.classIndex === c)!;
          return overlayTile(scene.image, width, height, normalizeMinMax(cam), { box: object.box, peak: argmax(cam), icon: object.className });
        }),
      ]);
    }
    if ((i + 1) % 100 === 0) {
      console.error(`${i + 1}/${options.scenes} scenes, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  loaded.dispose();

  const perClassAp = Object.fromEntries(manifest.labels.map((name, c) => [name, averagePrecision(scoresByClass[c], labelsByClass[c])]));
  const aps = Object.values(perClassAp).filter((v) => !Number.isNaN(v));
  const methods = Object.fromEntries(
    [...stats].map(([m, s]): [Method, MethodSummary] => [
      m,
      {
        pointingGame: s.pointingGame.value,
        energyInBox: s.energyInBox.value,
        otherClassShare: s.otherClassShare.value,
        deletionAuc: s.deletionAuc.value,
        insertionAuc: s.insertionAuc.value,
        counts: { classInstances: s.pointingGame.count, multiClassInstances: s.otherClassShare.count, curves: s.deletionAuc.count },
      },
    ]),
  ) as Record<Method, MethodSummary>;
  const cam = methods['grad-cam'];
  const random = methods.random;
  const mAP = aps.reduce((a, b) => a + b, 0) / aps.length;
  const criteria = {
    'mAP ≥ 0.95': mAP >= 0.95,
    'pointing game ≥ 0.90': cam.pointingGame >= 0.9,
    'energy in box ≥ 2 × random': cam.energyInBox >= 2 * random.energyInBox,
    'other-class share ≤ ½ × random': cam.otherClassShare <= 0.5 * random.otherClassShare,
    'deletion AUC < random': cam.deletionAuc < random.deletionAuc,
    'insertion AUC > random': cam.insertionAuc > random.insertionAuc,
  };
  const grid = composeGrid(exampleRows, width, height);
  return {
    report: {
      model: { id: manifest.id, version: manifest.version, gradcamLayer: loaded.exposed.layer },
      settings: {
        backend: tf.getBackend(),
        scenes: options.scenes,
        sceneSeeds: { start: EVAL_SCENE_SEEDS.start, count: options.scenes },
        faithfulnessScenes: Math.min(options.faithfulnessScenes, options.scenes),
        curveSteps: options.steps,
        curveEndScores: { image: endScores.image.value, deleted: endScores.deleted.value, blurred: endScores.blurred.value },
        pointingToleranceInPixels: tolerance,
      },
      classification: { mAP, perClassAp },
      methods,
      criteria,
      seconds: Math.round((performance.now() - started) / 1000),
      /** Tensors left behind by loading, explaining and disposing the model: 0 unless something leaks. */
      leakedTensors: tf.memory().numTensors - tensorsBefore,
    },
    grid,
  };
}

type Report = Awaited<ReturnType<typeof evaluate>>['report'];

export function markdownReport(r: Report): string {
  const f = (v: number) => (Number.isNaN(v) ? '–' : v.toFixed(3));
  const lines = [
    `### ${r.model.id} (${r.model.version}), ${r.settings.scenes} held-out scenes, ${r.settings.backend}`,
    '',
    `mAP **${f(r.classification.mAP)}**`,
    '',
    `| ${Object.keys(r.classification.perClassAp).join(' | ')} |`,
    `|${Object.keys(r.classification.perClassAp).map(() => '---').join('|')}|`,
    `| ${Object.values(r.classification.perClassAp).map(f).join(' | ')} |`,
    '',
    `| map | pointing game ↑ | energy in box ↑ | other-class share ↓ | deletion AUC ↓ | insertion AUC ↑ |`,
    `|---|---|---|---|---|---|`,
    ...Object.entries(r.methods).map(
      ([m, s]) => `| ${m} | ${f(s.pointingGame)} | ${f(s.energyInBox)} | ${f(s.otherClassShare)} | ${f(s.deletionAuc)} | ${f(s.insertionAuc)} |`,
    ),
    '',
    `Localisation over ${r.methods['grad-cam'].counts.classInstances} class instances (other-class share: ` +
      `${r.methods['grad-cam'].counts.multiClassInstances} in scenes with ≥ 2 classes); deletion/insertion over ` +
      `${r.methods['grad-cam'].counts.curves} curves from the first ${r.settings.faithfulnessScenes} scenes, ` +
      `${r.settings.curveSteps} steps each; mean class score on the image ${f(r.settings.curveEndScores.image)}, ` +
      `fully deleted ${f(r.settings.curveEndScores.deleted)}, blurred ${f(r.settings.curveEndScores.blurred)}. ` +
      `Pointing tolerance ${r.settings.pointingToleranceInPixels.toFixed(1)} px.`,
    '',
    ...Object.entries(r.criteria).map(([k, ok]) => `- [${ok ? 'x' : ' '}] ${k}`),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'models/compact-efficientnet' },
      scenes: { type: 'string', default: `${EVAL_SCENE_SEEDS.count}` },
      'faithfulness-scenes': { type: 'string', default: `${EVAL_SCENE_SEEDS.count}` },
      steps: { type: 'string', default: '10' },
      examples: { type: 'string', default: '12' },
      out: { type: 'string', default: 'artifacts/eval' },
      backend: { type: 'string', default: 'wasm' },
    },
  });
  if (!(await tf.setBackend(values.backend))) throw new Error(`backend ${values.backend} did not initialise`);
  const { report, grid } = await evaluate({
    modelDir: path.resolve(ROOT, values.model),
    scenes: Number(values.scenes),
    faithfulnessScenes: Number(values['faithfulness-scenes']),
    steps: Number(values.steps),
    examples: Number(values.examples),
  });
  const out = path.resolve(ROOT, values.out);
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, 'eval.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(path.join(out, 'examples.png'), encodePng({ width: grid.width, height: grid.height, data: grid.rgb, channels: 3, depth: 8 }));
  console.log(markdownReport(report));
  console.log(`\nwrote ${path.relative(ROOT, path.join(out, 'eval.json'))} and ${path.relative(ROOT, path.join(out, 'examples.png'))}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.dirname, 'evaluate.ts')) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
