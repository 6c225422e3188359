import { SELF } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { fixtureBytes } from '../../support/files';

it('runs', async () => {
  const r = await SELF.fetch('http://x/');
  const b = await fixtureBytes('images/dog.jpg');
  expect(b.length).toBeGreaterThan(1000);
  expect(await r.json()).toEqual({ backend: 'wasm', s: [4, 6], simd: true });
});
