/**
 * The methods' public names (the API's `method` option) and the default, declared once, with no TF.js:
 * the viewer's picker and the API's schema read them here; methods/index.ts maps each to its method.
 */
export const METHOD_NAMES = ['grad-cam', 'grad-cam++', 'xgrad-cam', 'layer-cam', 'hires-cam', 'grad-cam-elementwise', 'eigen-cam', 'eigen-grad-cam'] as const;
export type MethodName = (typeof METHOD_NAMES)[number];
export const DEFAULT_METHOD: MethodName = 'grad-cam';

/** What a picker shows for each method. */
export const METHOD_LABELS: Record<MethodName, string> = {
  'grad-cam': 'Grad-CAM',
  'grad-cam++': 'Grad-CAM++',
  'xgrad-cam': 'XGrad-CAM',
  'layer-cam': 'Layer-CAM',
  'hires-cam': 'HiRes-CAM',
  'grad-cam-elementwise': 'Grad-CAM (element-wise)',
  'eigen-cam': 'Eigen-CAM (same map for every class)',
  'eigen-grad-cam': 'Eigen-Grad-CAM',
};
