/**
 * Sample scenes to try: drawn in the browser by the scene generator the default model learned from
 * (models/scenes), from fixed held-out seeds the model never trained on. A click hands the scene over
 * as a PNG file, exactly as if it had been uploaded.
 */
import { generateScene } from '../../models/scenes/generate-scene';
import { evalSceneSeed } from '../../models/scenes/splits';
import { canvasPng, paint } from './canvas';
import { el } from './dom';

/** Held-out scenes shown in the gallery (indices into the evaluation split). */
export const GALLERY_SCENES = [0, 1, 2, 3, 4, 5] as const;

export interface GallerySample {
  seed: number;
  /** The shapes in the scene, for the button's accessible name. */
  objects: string[];
  canvas: HTMLCanvasElement;
}

export function drawSample(index: number): GallerySample {
  const seed = evalSceneSeed(index);
  const scene = generateScene(seed);
  const canvas = el('canvas', { width: scene.width, height: scene.height });
  const rgba = new Uint8ClampedArray(scene.width * scene.height * 4);
  for (let p = 0; p < scene.width * scene.height; p++) {
    rgba.set([scene.image[p * 3], scene.image[p * 3 + 1], scene.image[p * 3 + 2], 255], p * 4);
  }
  paint(canvas, scene.width, scene.height, rgba);
  return { seed, objects: scene.objects.map((o) => o.className), canvas };
}

/** Fills `container` with one button per sample; `onPick` gets the scene as a PNG file. */
export function renderGallery(container: HTMLElement, onPick: (file: File) => void): void {
  for (const index of GALLERY_SCENES) {
    const sample = drawSample(index);
    const shapes = sample.objects.join(', ');
    const button = el('button', { type: 'button', className: 'sample', title: `Explain this scene (${shapes})` }, [sample.canvas]);
    button.setAttribute('aria-label', `Explain sample scene ${index + 1}: ${shapes}`);
    button.addEventListener('click', async () => {
      const png = await canvasPng(sample.canvas);
      onPick(new File([png], `scene-${sample.seed}.png`, { type: 'image/png' }));
    });
    container.appendChild(button);
  }
}
