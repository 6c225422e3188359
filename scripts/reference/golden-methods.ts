/** The methods whose maps have golden files from pytorch-grad-cam (cam-goldens.ts), and where they are. */
import type { MethodName } from '../../worker/explain/methods';

export const GOLDEN_MODEL = 'efficientnet-lite0';
export const GOLDEN_DIR = 'test/worker/explain/methods/golden';
/** Every method has an anchor run here; the Eigen ones' sign is the anchor's LAPACK's (see cam_goldens.py). */
export const GOLDEN_METHODS = ['grad-cam', 'grad-cam++', 'xgrad-cam', 'layer-cam', 'hires-cam', 'grad-cam-elementwise', 'eigen-cam', 'eigen-grad-cam'] as const satisfies readonly MethodName[];

/** The golden file of a method, relative to the repository. */
export function goldenFile(method: MethodName, model = GOLDEN_MODEL): string {
  return `${GOLDEN_DIR}/${method}.${model}.json`;
}
