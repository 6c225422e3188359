import { describe, expect, it } from 'vitest';
import { iframeSnippet, markdownImageSnippet } from '../../viewer/src/snippets';

describe('embed snippets', () => {
  it('writes an iframe that keeps the image aspect ratio', () => {
    expect(iframeSnippet({ embedUrl: 'https://x.dev/embed/abc?class=1&alpha=0.5', title: 'Grad-CAM: tabby', width: 640, height: 480 })).toBe(
      '<iframe src="https://x.dev/embed/abc?class=1&amp;alpha=0.5" title="Grad-CAM: tabby" ' +
        'style="width: 100%; max-width: 640px; aspect-ratio: 640 / 480; border: 0" loading="lazy"></iframe>',
    );
  });

  it('escapes labels for the attribute they land in', () => {
    const snippet = iframeSnippet({ embedUrl: 'https://x.dev/embed/a', title: '"><script>alert(1)</script>', width: 10, height: 10 });
    expect(snippet).toContain('title="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(snippet).not.toContain('<script>');
  });

  it('writes a Markdown image whose alt text and URL cannot break out', () => {
    expect(markdownImageSnippet('https://x.dev/v1/explanations/a/overlay.png?class=1', 'Grad-CAM for cat')).toBe(
      '![Grad-CAM for cat](https://x.dev/v1/explanations/a/overlay.png?class=1)',
    );
    expect(markdownImageSnippet('https://x.dev/o.png?a=(1) 2', 'a [b]\nc')).toBe('![a \\[b\\] c](https://x.dev/o.png?a=%281%29%202)');
  });
});
