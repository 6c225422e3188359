/**
 * Published image classifiers that `npm run model:add -- <id>` knows how to fetch (`--list` prints
 * them). Each is a TF Lite file with TF Lite metadata, so labels and normalisation come with it.
 * A SHA-256 is given where it is known; a download that does not match it is refused. MediaPipe's ids say
 * so: `efficientnet-lite0` is the embedded default (models/efficientnet-lite0), converted from PyTorch.
 */

export interface KnownModel {
  id: string;
  name: string;
  url: string;
  /** SHA-256 of the file at `url`, when known. */
  sha256?: string;
  /** Who publishes it, and under which licence. */
  source: string;
  license: string;
}

const MEDIAPIPE = 'https://storage.googleapis.com/mediapipe-models/image_classifier';
const MEDIAPIPE_SOURCE = 'MediaPipe image classifier models (ai.google.dev/edge/mediapipe/solutions/vision/image_classifier)';

export const KNOWN_MODELS: readonly KnownModel[] = [
  {
    id: 'mediapipe-efficientnet-lite0',
    name: 'EfficientNet-Lite0, ImageNet, 224×224, float32',
    url: `${MEDIAPIPE}/efficientnet_lite0/float32/1/efficientnet_lite0.tflite`,
    sha256: '6c7ab0a6e5dcbf38a8c33b960996a55a3b4300b36a018c4545801de3a3c8bde0',
    source: MEDIAPIPE_SOURCE,
    license: 'Apache-2.0',
  },
  {
    id: 'mediapipe-efficientnet-lite0-int8',
    name: 'EfficientNet-Lite0, ImageNet, 224×224, int8 (per-channel weights)',
    url: `${MEDIAPIPE}/efficientnet_lite0/int8/1/efficientnet_lite0.tflite`,
    source: MEDIAPIPE_SOURCE,
    license: 'Apache-2.0',
  },
  {
    id: 'mediapipe-efficientnet-lite2',
    name: 'EfficientNet-Lite2, ImageNet, float32',
    url: `${MEDIAPIPE}/efficientnet_lite2/float32/1/efficientnet_lite2.tflite`,
    source: MEDIAPIPE_SOURCE,
    license: 'Apache-2.0',
  },
  {
    id: 'mediapipe-efficientnet-lite2-int8',
    name: 'EfficientNet-Lite2, ImageNet, int8 (per-channel weights)',
    url: `${MEDIAPIPE}/efficientnet_lite2/int8/1/efficientnet_lite2.tflite`,
    source: MEDIAPIPE_SOURCE,
    license: 'Apache-2.0',
  },
  {
    id: 'mobilenet-v2-quant',
    name: 'MobileNetV2 1.0, ImageNet, 224×224, uint8 (quantisation-aware training)',
    url: 'https://github.com/google-coral/test_data/raw/master/mobilenet_v2_1.0_224_quant.tflite',
    // The file at commit 104342d2 of google-coral/test_data (also ../shared/fixtures).
    sha256: '7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776',
    source: 'google-coral/test_data on GitHub',
    license: 'Apache-2.0',
  },
];

export function knownModel(id: string): KnownModel | undefined {
  return KNOWN_MODELS.find((m) => m.id === id);
}
