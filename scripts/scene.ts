/**
 * Writes a scene of the default model's generator as a PNG, to try the service with an image whose
 * contents are known: `npm run scene -- --seed 7 --size 256 --out scene.png` (prints the objects in it).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { encode } from 'fast-png';
import { generateScene, SCENE_SIZE } from '../models/scenes/generate-scene';

const { values } = parseArgs({
  options: { seed: { type: 'string', default: '7' }, size: { type: 'string', default: String(SCENE_SIZE * 2) }, out: { type: 'string', default: 'scene.png' } },
});
const scene = generateScene(Number(values.seed), { size: Number(values.size) });
writeFileSync(values.out, encode({ width: scene.width, height: scene.height, data: scene.image, channels: 3, depth: 8 }));
const objects = scene.objects.map((o) => `${o.className} at (${o.box.x0}, ${o.box.y0})–(${o.box.x1}, ${o.box.y1})`);
console.log(`${values.out}: ${scene.width}×${scene.height}, seed ${scene.seed}: ${objects.join('; ')}`);
