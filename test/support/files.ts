import { env } from 'cloudflare:workers';

/** Reads a file of ../shared/fixtures (served to workerd by the test-only FILES binding). */
export async function fixtureBytes(relativePath: string): Promise<Uint8Array<ArrayBuffer>> {
  return fetchFile(`http://fixtures/${relativePath}`);
}

/** Reads a file of this repository (served to workerd by the test-only FILES binding). */
export async function repoBytes(relativePath: string): Promise<Uint8Array<ArrayBuffer>> {
  return fetchFile(`http://repo/${relativePath}`);
}

async function fetchFile(url: string): Promise<Uint8Array<ArrayBuffer>> {
  const response = await (env as unknown as { FILES: Fetcher }).FILES.fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return new Uint8Array(await response.arrayBuffer());
}
