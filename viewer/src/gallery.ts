/**
 * Samples to try. Photos (viewer/static/samples, CC0 and public-domain copies) for the ImageNet models:
 * they go to the model the picker shows. Scenes drawn in the browser by the scene generator
 * (models/scenes), from fixed held-out seeds the scenes model never trained on: they go to the scenes
 * model, the only one that knows them. A click hands the sample over as a file, exactly as if it had
 * been uploaded.
 */
import { generateScene } from '../../models/scenes/generate-scene';
import { evalSceneSeed } from '../../models/scenes/splits';
import { canvasPng, paint } from './canvas';
import { el } from './dom';

export { SCENES_MODEL_ID } from '../../models/training/scenes-model';

/** Held-out scenes shown in the gallery (indices into the evaluation split). */
export const GALLERY_SCENES = [0, 1, 2, 3, 4, 5] as const;

/** The sample photos, served from /samples/ (their licences: viewer/static/samples/LICENSE.md). */
export const GALLERY_PHOTOS = [
  { file: 'chelsea.jpg', subject: 'a cat' },
  { file: 'coffee.jpg', subject: 'a cup of coffee' },
  { file: 'astronaut.jpg', subject: 'an astronaut' },
  { file: 'rocket.jpg', subject: 'a rocket on its pad' },
] as const;

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

/** Fills `container` with one button per sample scene; `onPick` gets the scene as a PNG file. */
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

/** Fills `container` with one button per sample photo; `onPick` gets the photo as a JPEG file. */
export function renderPhotoGallery(container: HTMLElement, onPick: (file: File) => void): void {
  for (const photo of GALLERY_PHOTOS) {
    const url = `/samples/${photo.file}`;
    const image = el('img', { src: url, alt: '', loading: 'lazy', decoding: 'async' });
    const button = el('button', { type: 'button', className: 'sample', title: `Explain this photo (${photo.subject})` }, [image]);
    button.setAttribute('aria-label', `Explain sample photo: ${photo.subject}`);
    button.addEventListener('click', async () => {
      const response = await fetch(url);
      onPick(new File([await response.blob()], photo.file, { type: 'image/jpeg' }));
    });
    container.appendChild(button);
  }
}
