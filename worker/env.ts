/** The worker's bindings; matches `wrangler.toml`. */
export interface Env {
  /** Model manifests and files (see model/model-store.ts for the keys). */
  MODELS: KVNamespace;
  /** Cached explanations and image previews. */
  EXPLANATIONS: KVNamespace;
  /** The viewer's static files (viewer/dist, built by scripts/build-viewer.ts). */
  ASSETS: Fetcher;
  /** Id of the model used when a request names none. */
  DEFAULT_MODEL: string;
  /** Upload limit in bytes (default 10 MB). */
  MAX_IMAGE_BYTES?: string;
  /** Limit on declared width × height, checked before decoding (default 12 megapixels; never more than admission holds, service/admission.ts). */
  MAX_IMAGE_PIXELS?: string;
  /** How long explanations and previews are kept, in seconds (default 30 days). */
  EXPLANATION_TTL_SECONDS?: string;
  /** Secret for explanation ids (`wrangler secret put EXPLANATION_ID_SECRET`); a fixed development one when unset. */
  EXPLANATION_ID_SECRET?: string;
  /** Per-client rate limits (wrangler.toml `[[ratelimits]]`; http/rate-limit.ts). Absent: not limited. */
  EXPLAIN_MISS_LIMITER?: RateLimit;
  EXPLAIN_HIT_LIMITER?: RateLimit;
  SHARE_LIMITER?: RateLimit;
  /** SHA-256 hashes (hex) of the accepted API keys, comma- or space-separated (`wrangler secret put API_KEYS`). Unset: no key needed. */
  API_KEYS?: string;
  /** `on`: GET /v1/diagnostics answers (the bench's soak phase); never set it in production. */
  DIAGNOSTICS?: string;
}
