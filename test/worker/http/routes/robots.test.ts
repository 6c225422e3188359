/** /robots.txt in workerd, read by a small RFC 9309 matcher as Twitterbot and Teams' crawler read it. */
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

interface Rule {
  allow: boolean;
  pattern: string;
}

/** RFC 9309 §2.2.2: the longest matching rule wins, `allow` on a tie; `*` any run of characters, `$` the end. */
function allowed(robots: string, userAgent: string, path: string): boolean {
  const groups: { agents: string[]; rules: Rule[] }[] = [];
  let current: { agents: string[]; rules: Rule[] } | undefined;
  for (const line of robots.split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean)) {
    const [key, ...rest] = line.split(':');
    const value = rest.join(':').trim();
    if (key.toLowerCase() === 'user-agent') {
      if (!current || current.rules.length > 0) groups.push((current = { agents: [], rules: [] }));
      current.agents.push(value.toLowerCase());
    } else if (current && /^(allow|disallow)$/i.test(key)) current.rules.push({ allow: key.toLowerCase() === 'allow', pattern: value });
  }
  const group = groups.find((g) => g.agents.some((a) => userAgent.toLowerCase().startsWith(a))) ?? groups.find((g) => g.agents.includes('*'));
  const matching = (group?.rules ?? []).filter((rule) => {
    const source = rule.pattern.replace(/[.+?^{}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    return new RegExp(`^${source}`).test(path);
  });
  if (matching.length === 0) return true;
  const best = Math.max(...matching.map((r) => r.pattern.length));
  return matching.some((r) => r.pattern.length === best && r.allow);
}

describe('/robots.txt', () => {
  it('lets link-preview crawlers fetch the pages, oEmbed and the images, not the rest of the API', async () => {
    const response = await SELF.fetch('http://worker/robots.txt');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const robots = await response.text();
    const id = 'TbtkZOaVk_qEn8dSPW9pEQ';
    for (const userAgent of ['Twitterbot', 'SkypeUriPreview', 'AnyOtherBot']) {
      for (const path of ['/', `/e/${id}`, `/embed/${id}?class=1`, '/oembed?url=x&format=json', `/v1/explanations/${id}/card.png`, `/v1/explanations/${id}/overlay.png?alpha=0.5`]) {
        expect(allowed(robots, userAgent, path), `${userAgent} ${path}`).toBe(true);
      }
      for (const path of ['/v1/explain', '/v1/models/compact-efficientnet/files/x/model.json']) {
        expect(allowed(robots, userAgent, path), `${userAgent} ${path}`).toBe(false);
      }
    }
  });
});
