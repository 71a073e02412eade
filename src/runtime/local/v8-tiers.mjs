// Loaded into every process of a local sandbox (--import, see bridge.ts): how far V8 optimises. It
// changes speed, nothing a program can see. Sandbox processes live seconds (a Check's Vitest worker,
// the learner's test run) or carry a light load (the shop's servers), so code that is compiled
// harder than it runs is CPU lost:
// - WebAssembly on the baseline compiler (Liftoff) alone. The shop builds with esbuild's WebAssembly
//   build (no native code, as in a WebContainer): Vite, the backend's runner and Vitest each start
//   one, and the optimising compiler (TurboFan) spends more CPU compiling the 14 MB module than
//   esbuild spends building the shop. Liftoff alone bundles the frontend in 0.6 CPU-s instead of 3.7
//   (bench/esbuild-wasm.ts).
// - JavaScript up to V8's mid-tier compiler (Maglev), not TurboFan: a Check's processes then cost
//   about a sixth less CPU (1.50 CPU-s instead of 1.77 on lesson 4), in the same time (bench/check-cpu.ts).
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--liftoff-only');
setFlagsFromString('--max-opt=2');
