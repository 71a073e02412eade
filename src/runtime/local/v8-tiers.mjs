// Loaded into every process of a local sandbox (--import, see bridge.ts). The shop builds with
// esbuild's WebAssembly build (no native code, as in a WebContainer): Vite, the backend's runner and
// Vitest each start one, and V8's optimising compiler (TurboFan) then spends more CPU compiling the
// 14 MB module than esbuild spends building the shop. Its baseline compiler (Liftoff) alone bundles
// the frontend in 0.6 CPU-s instead of 3.7 (bench/esbuild-wasm.ts). It changes speed, nothing
// a program can see.
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--liftoff-only');
