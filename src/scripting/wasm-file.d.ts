// A .wasm file imported `with { type: "file" }`: Bun gives its path (inside a `bun build
// --compile` executable, the path of the embedded copy).
declare module "*.wasm" {
  const path: string;
  export default path;
}
