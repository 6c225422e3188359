/**
 * Classification quality of a multi-label model: average precision per class (the area under the
 * precision–recall curve, as the mean of the precision at each positive's rank) and its mean over classes.
 *
 * Example: `averagePrecision([0.9, 0.2, 0.8], [1, 0, 0])` is 1; `meanAveragePrecision(scoresByClass, labelsByClass)`.
 */

/** AP of one class; NaN when the class has no positives (it then drops out of the mean). */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a] || a - b);
  let hits = 0;
  let sum = 0;
  order.forEach((index, rank) => {
    if (labels[index] > 0) {
      hits++;
      sum += hits / (rank + 1);
    }
  });
  return hits === 0 ? NaN : sum / hits;
}

/** Mean AP over classes with at least one positive; inputs are per class: `scores[c][i]`, `labels[c][i]`. */
export function meanAveragePrecision(scores: ArrayLike<number>[], labels: ArrayLike<number>[]): number {
  const aps = scores.map((s, c) => averagePrecision(s, labels[c])).filter((ap) => !Number.isNaN(ap));
  return aps.reduce((a, b) => a + b, 0) / aps.length;
}
