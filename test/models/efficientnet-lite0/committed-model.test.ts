/** The committed default model: its manifest says what the weights were trained with, and it fits KV. */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { modelVersion, parseManifest } from '../../../worker/model/manifest';

const DIR = path.resolve(import.meta.dirname, '../../../models/efficientnet-lite0');
/** Workers KV takes values up to 25 MiB. */
const KV_MAX_VALUE_BYTES = 25 * 1024 * 1024;

describe('the committed EfficientNet-Lite0', () => {
  const manifest = parseManifest(JSON.parse(readFileSync(path.join(DIR, 'manifest.json'), 'utf8')));

  it('has files that match their checksums, each small enough for one KV value', async () => {
    for (const f of manifest.files) {
      const bytes = readFileSync(path.join(DIR, f.path));
      expect(bytes.length, f.path).toBe(f.bytes);
      expect(createHash('sha256').update(bytes).digest('hex'), f.path).toBe(f.sha256);
      expect(bytes.length, f.path).toBeLessThan(KV_MAX_VALUE_BYTES);
    }
    expect(manifest.version).toBe(await modelVersion(manifest.files));
  });

  it('says how it was trained: ImageNet’s 1000 classes in output order, (pixel − 127) / 128, softmax, layer auto', () => {
    expect(manifest).toMatchObject({
      id: 'efficientnet-lite0',
      task: 'classification',
      format: 'tfjs-layers',
      input: { width: 224, height: 224 },
      preprocessing: { mean: [127, 127, 127], std: [128, 128, 128] },
      output: { activation: 'softmax', labelOffset: 0 },
      gradcamLayer: 'auto',
      license: 'Apache-2.0',
    });
    expect(manifest.labels).toHaveLength(1000);
    expect([manifest.labels[0], manifest.labels[285], manifest.labels[967], manifest.labels[999]]).toEqual(['tench', 'Egyptian cat', 'espresso', 'toilet tissue']);
  });

  it('ships its licence and the record of its conversion', () => {
    expect(readFileSync(path.join(DIR, 'LICENSE'), 'utf8')).toMatch(/Apache License, Version 2\.0/);
    expect(existsSync(path.join(DIR, 'conversion.json'))).toBe(true);
  });
});
