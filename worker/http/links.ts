/** The stable URLs of a stored explanation, absolute so they can be pasted anywhere. */
export interface ExplanationLinks {
  /** The explanation's JSON. */
  self: string;
  /** The stored preview of the image. */
  image: string;
  /** The map drawn over the preview, as a PNG (query: colormap, alpha, class). */
  overlay: string;
  /** The viewer's page for it. */
  page: string;
  /** A chrome-less page for <iframe> embedding. */
  embed: string;
}

export function explanationLinks(origin: string, id: string): ExplanationLinks {
  return {
    self: `${origin}/v1/explanations/${id}`,
    image: `${origin}/v1/explanations/${id}/image`,
    overlay: `${origin}/v1/explanations/${id}/overlay.png`,
    page: `${origin}/e/${id}`,
    embed: `${origin}/embed/${id}`,
  };
}
