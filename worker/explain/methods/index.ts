/**
 * The registry of explanation methods: each public name (the API's `method` option, part of the cache
 * key) and the method behind it (cam-method.ts: what it needs, how it maps), and the method used when
 * none is asked for. A method added here reaches the API, its OpenAPI enum and the cache key.
 */
import type { CamMethod } from './cam-method';
import { EIGEN_CAM, EIGEN_GRAD_CAM } from './eigen-cams';
import { GRAD_CAM_ELEMENTWISE, HIRES_CAM, LAYER_CAM } from './element-wise-cams';
import { GRAD_CAM } from './grad-cam';
import { GRAD_CAM_PLUS_PLUS } from './grad-cam-plus-plus';
import type { MethodName } from './method-names';
import { XGRAD_CAM } from './xgrad-cam';

export type { CamInputs, CamMethod } from './cam-method';
export { DEFAULT_METHOD, METHOD_NAMES, type MethodName } from './method-names';

/** Methods by their public name (the `method` option of the API). */
export const METHODS = {
  'grad-cam': GRAD_CAM,
  'grad-cam++': GRAD_CAM_PLUS_PLUS,
  'xgrad-cam': XGRAD_CAM,
  'layer-cam': LAYER_CAM,
  'hires-cam': HIRES_CAM,
  'grad-cam-elementwise': GRAD_CAM_ELEMENTWISE,
  'eigen-cam': EIGEN_CAM,
  'eigen-grad-cam': EIGEN_GRAD_CAM,
} as const satisfies Record<MethodName, CamMethod>;
