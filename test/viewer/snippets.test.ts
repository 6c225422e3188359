import { describe, expect, it } from 'vitest';
import { iframeSnippet, markdownImageSnippet, webComponentSnippet } from '../../viewer/src/snippets';

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

  it('links the Markdown image to the page when given one', () => {
    expect(markdownImageSnippet('https://x.dev/v1/explanations/a/overlay.png?class=1', 'Grad-CAM for cat', 'https://x.dev/e/a?view=overlay')).toBe(
      '[![Grad-CAM for cat](https://x.dev/v1/explanations/a/overlay.png?class=1)](https://x.dev/e/a?view=overlay)',
    );
  });

  it('writes the web component with its script and a linked image as the fallback, escaped', () => {
    const snippet = webComponentSnippet({
      scriptUrl: 'https://x.dev/gradcam-explanation.js',
      id: 'abc',
      attributes: { 'class-index': '3', colormap: 'viridis' },
      pageUrl: 'https://x.dev/e/abc?class=3&view=overlay',
      overlayUrl: 'https://x.dev/v1/explanations/abc/overlay.png?class=3',
      alt: 'Grad-CAM for "<b>"',
    });
    expect(snippet).toBe(
      '<script type="module" src="https://x.dev/gradcam-explanation.js"></script>\n' +
        '<gradcam-explanation explanation="abc" class-index="3" colormap="viridis">\n' +
        '  <a href="https://x.dev/e/abc?class=3&amp;view=overlay"><img src="https://x.dev/v1/explanations/abc/overlay.png?class=3" alt="Grad-CAM for &quot;&lt;b&gt;&quot;" loading="lazy"></a>\n' +
        '</gradcam-explanation>',
    );
  });
});
