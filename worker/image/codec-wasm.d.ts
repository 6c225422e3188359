/**
 * @jsquash/png ships `squoosh_png_bg.wasm.d.ts` (the instance's exports), which TypeScript prefers to the
 * project's `*.wasm` wildcard; an exact ambient declaration wins over both. Under CompiledWasm the import
 * is a compiled module.
 */
declare module '@jsquash/png/codec/pkg/squoosh_png_bg.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
