/**
 * The jsquash codec binaries, imported through wrangler's CompiledWasm rule as `WebAssembly.Module`s.
 * Exact module names rather than a `*.wasm` wildcard, so these cannot clash with a project-wide one.
 */
declare module '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '@jsquash/png/codec/pkg/squoosh_png_bg.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
declare module '@jsquash/webp/codec/dec/webp_dec.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
