import { describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../worker/model/load-model';
import type { ModelManifest } from '../../../worker/model/manifest';
import { ModelRegistry } from '../../../worker/model/model-registry';

function manifest(version: string): ModelManifest {
  return { id: 'm', version } as ModelManifest;
}

function fakeModel(disposed: string[], version: string): LoadedModel {
  return { manifest: manifest(version), dispose: () => disposed.push(version) } as unknown as LoadedModel;
}

describe('ModelRegistry', () => {
  it('loads a version once, however many requests ask for it at the same time', async () => {
    const registry = new ModelRegistry();
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 10));
      return fakeModel([], 'v1');
    };
    const models = await Promise.all(Array.from({ length: 10 }, () => registry.get(manifest('v1'), load)));
    expect(loads).toBe(1);
    expect(new Set(models).size).toBe(1);
  });

  it('replaces and disposes an old version, and retries a failed load', async () => {
    const registry = new ModelRegistry();
    const disposed: string[] = [];
    await registry.get(manifest('v1'), async () => fakeModel(disposed, 'v1'));
    await registry.get(manifest('v2'), async () => fakeModel(disposed, 'v2'));
    await new Promise((r) => setTimeout(r, 0));
    expect(disposed).toEqual(['v1']);
    await expect(registry.get(manifest('v3'), () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await new Promise((r) => setTimeout(r, 0));
    const retried = await registry.get(manifest('v3'), async () => fakeModel(disposed, 'v3'));
    expect(retried.manifest.version).toBe('v3');
    expect(registry.size).toBe(1);
  });
});
