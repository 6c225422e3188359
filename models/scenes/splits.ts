/**
 * Which scene seeds belong to which split, fixed here so training can never see an evaluation scene:
 * training run r (0 ≤ r < 1024) draws scene i (i < 2^20) from seed r·2^20 + i, all below 2^30; the
 * held-out evaluation set is the seeds from 2^30 up.
 *
 * Example: `trainingSceneSeed(1, 0)` is 1048576; `EVAL_SCENE_SEEDS.start` is 1073741824.
 */

const SCENES_PER_RUN = 2 ** 20;
const MAX_RUN_SEED = 1024;

/** The fixed held-out set: `count` consecutive seeds from `start`. */
export const EVAL_SCENE_SEEDS = { start: 2 ** 30, count: 1000 } as const;

/** The seed of scene `index` of training run `runSeed`; throws outside the training range. */
export function trainingSceneSeed(runSeed: number, index: number): number {
  if (!Number.isInteger(runSeed) || runSeed < 0 || runSeed >= MAX_RUN_SEED) {
    throw new RangeError(`training seed must be an integer in [0, ${MAX_RUN_SEED}), got ${runSeed}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= SCENES_PER_RUN) {
    throw new RangeError(`a training run has at most ${SCENES_PER_RUN} scenes, asked for index ${index}`);
  }
  return runSeed * SCENES_PER_RUN + index;
}

/** The seed of held-out scene `index`. */
export function evalSceneSeed(index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= EVAL_SCENE_SEEDS.count) {
    throw new RangeError(`the evaluation set has ${EVAL_SCENE_SEEDS.count} scenes, asked for index ${index}`);
  }
  return EVAL_SCENE_SEEDS.start + index;
}
