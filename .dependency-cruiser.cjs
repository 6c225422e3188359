/**
 * The import rules `npm test` enforces (`npm run deps`, dependency-cruiser): no file imports itself back
 * through a circle, and the folders of worker/ only import downwards. From the bottom:
 *   crypto/, image/, runtime/kernels/  leaves;
 *   render/ → image/;   engine/ → runtime/kernels/;   runtime/ (the backend adapters) → runtime/;
 *   explain/ → engine/;   model/ → engine/, image/, crypto/;
 *   cache/, service/ → the folders below;   http/ → any of them;   index.ts → http/.
 * The engine and the explanation know nothing of HTTP, KV, the Worker's bindings or which runtime they
 * are in: any runtime (workerd, Node, a browser) runs them.
 *
 * Arrows that still run upwards, to be ruled out by issue 13's ports and contract refactor: cache/ →
 * service/ (the request and document types), http/ → model/ (routes reading KV), service/ →
 * runtime/wasm-workerd.ts and env.ts (the composition root), viewer/src → worker/http/ (page constants).
 */
const WORKER_EDGE = '^worker/(http/|service/|cache/|env\\.ts$|index\\.ts$)';
const RUNTIME_ADAPTERS = '^worker/runtime/wasm-';
const KV_CODE = '^worker/(model/model-store|cache/explanation-store)\\.ts$';
/** npm packages of the Worker's edge (HTTP, bindings) and of one runtime (a TF.js backend, Node). */
const EDGE_PACKAGES = '^node_modules/(hono|@hono|@cloudflare|wrangler|miniflare|@tensorflow/tfjs-backend-)';

/** Files of `folder` may import only from the folders of `allowed` (their own included) inside worker/. */
function importsOnly(name, comment, folder, allowed) {
  return {
    name,
    comment,
    severity: 'error',
    from: { path: `^worker/${folder}` },
    to: { path: '^worker/', pathNot: `^worker/(${[folder, ...allowed].join('|')})` },
  };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A circle of imports, type-only ones included, hides which module sits above which.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'engine-and-explain-know-no-edge',
      comment: 'The engine and the methods never import HTTP, the service, the cache, KV code, the bindings or a runtime adapter.',
      severity: 'error',
      from: { path: '^worker/(engine|explain)/' },
      to: { path: [WORKER_EDGE, RUNTIME_ADAPTERS, KV_CODE, EDGE_PACKAGES] },
    },
    {
      name: 'engine-and-explain-runtime-neutral',
      comment: 'The engine and the methods run in workerd, Node and browsers alike: no Node built-in modules.',
      severity: 'error',
      from: { path: '^worker/(engine|explain)/' },
      to: { dependencyTypes: ['core'] },
    },
    importsOnly('crypto-is-a-leaf', 'Hashing depends on nothing else of the worker.', 'crypto/', []),
    importsOnly('image-is-a-leaf', 'Images know nothing of TF.js, models, HTTP or KV (image/index.ts).', 'image/', []),
    importsOnly('kernels-are-a-leaf', 'The WASM kernels depend on nothing else of the worker.', 'runtime/kernels/', []),
    importsOnly('render-on-image-only', 'Rendering (shared with the viewer) builds on images only.', 'render/', ['image/']),
    importsOnly('engine-on-kernels-only', 'The model-execution engine builds on the WASM kernels only.', 'engine/', ['runtime/kernels/']),
    importsOnly('runtime-adapters-on-runtime-only', 'Starting a backend needs only its kernels.', 'runtime/', []),
    importsOnly('explain-on-engine-only', 'The explanation (methods, orchestration, normalisation) builds on the engine only.', 'explain/', ['engine/']),
    importsOnly('model-below-the-service', 'Manifests, loading and preprocessing build on the engine, images and hashing.', 'model/', ['engine/', 'image/', 'crypto/']),
    {
      name: 'http-only-from-the-entry',
      comment: 'Routes sit on top: inside worker/ only the entry (index.ts) imports them.',
      severity: 'error',
      from: { path: '^worker/', pathNot: '^worker/(http/|index\\.ts$)' },
      to: { path: '^worker/(http/|index\\.ts$)' },
    },
    {
      name: 'bindings-only-at-the-edge',
      comment: "The Worker's bindings (env.ts) are read by the service's composition root, the routes and the entry only.",
      severity: 'error',
      from: { path: '^worker/', pathNot: '^worker/(service/|http/|index\\.ts$)' },
      to: { path: '^worker/env\\.ts$' },
    },
    {
      name: 'worker-imports-no-tooling',
      comment: 'The worker never imports the viewer, scripts, the model-building code, the bench or tests.',
      severity: 'error',
      from: { path: '^worker/' },
      to: { path: '^(viewer|scripts|models|bench|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(\\.venv|\\.wrangler|viewer/dist|bench/results|artifacts)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    // Type-only imports count: a circle of types still hides the layering.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
