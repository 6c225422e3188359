import { describe, expect, it } from 'vitest';
import { summarizeExplanation, TITLE_MAX_BYTES, truncateBytes } from '../../../worker/http/explanation-summary';
import type { StoredExplanation } from '../../../worker/cache/explanation-store';

const map = { width: 1, height: 1, min: 0, max: 1, data: 'AA==', raw: 'AAAAAA==' };

function explanation(label: string): StoredExplanation {
  return {
    id: 'TbtkZOaVk_qEn8dSPW9pEQ',
    image: { sha256: 'x', width: 1024, height: 768, type: 'image/jpeg' },
    model: { id: 'efficientnet-lite0', version: '1' },
    method: 'grad-cam',
    layer: { name: 'top', width: 7, height: 7, channels: 1280 },
    predictions: [{ index: 281, label, score: 0.8734 }],
    explanations: [{ index: 281, label, score: 0.8734, logit: 3, map }],
  };
}

describe('explanation summary', () => {
  it('names the top class and its score, the model and the method, with absolute links', () => {
    const summary = summarizeExplanation(explanation('tabby cat'), 'https://gradcam.example');
    expect(summary.title).toBe('tabby cat — 87.3 % · Grad-CAM');
    expect(summary.description).toBe('Top classes: tabby cat 87.3 %. Model efficientnet-lite0, method grad-cam.');
    expect(summary.cardUrl).toBe('https://gradcam.example/v1/explanations/TbtkZOaVk_qEn8dSPW9pEQ/card.png');
    expect(summary.oembedUrl).toBe('https://gradcam.example/oembed?url=https%3A%2F%2Fgradcam.example%2Fe%2FTbtkZOaVk_qEn8dSPW9pEQ&format=json');
    // The preview's size: longest side 512.
    expect([summary.previewWidth, summary.previewHeight]).toEqual([512, 384]);
  });

  it('keeps titles within 70 bytes of UTF-8, never cutting a character', () => {
    const summary = summarizeExplanation(explanation('猫'.repeat(40)), 'https://gradcam.example');
    expect(new TextEncoder().encode(summary.title).length).toBeLessThanOrEqual(TITLE_MAX_BYTES);
    expect(summary.title.endsWith('…')).toBe(true);
    expect(summary.title).not.toContain('\uFFFD');
    expect(truncateBytes('short', 70)).toBe('short');
    expect(truncateBytes('ééé', 5)).toBe('é…');
  });
});
