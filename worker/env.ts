/** The worker's bindings; matches `wrangler.toml`. */
export interface Env {
  /** Model manifests and files (see model/model-store.ts for the keys). */
  MODELS: KVNamespace;
  /** Cached explanations and image previews. */
  EXPLANATIONS: KVNamespace;
  /** Id of the model used when a request names none. */
  DEFAULT_MODEL: string;
  /** Upload limit in bytes (default 10 MB). */
  MAX_IMAGE_BYTES?: string;
  /** Limit on declared width × height, checked before decoding (default 40 megapixels). */
  MAX_IMAGE_PIXELS?: string;
}
