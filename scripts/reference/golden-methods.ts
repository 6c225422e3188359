/** The methods whose maps have golden files from pytorch-grad-cam (cam-goldens.ts), and where they are. */
import { METHOD_NAMES, type MethodName } from '../../worker/explain/methods/method-names';

export const GOLDEN_MODEL = 'efficientnet-lite0';
export const GOLDEN_DIR = 'test/worker/explain/methods/golden';
/** Every method has an anchor run here (cam_goldens.py maps each to its pytorch-grad-cam class). */
export const GOLDEN_METHODS = METHOD_NAMES;

/** The golden file of a method, relative to the repository. */
export function goldenFile(method: MethodName, model = GOLDEN_MODEL): string {
  return `${GOLDEN_DIR}/${method}.${model}.json`;
}
