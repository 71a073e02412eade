// Preloaded into every process of a local sandbox (--require, see bridge.ts): Node as an in-browser
// WebContainer may provide it, with neither ESM loader-hook API. Nothing the shop, its checks or a
// lesson needs may rely on them, and this makes the local runtime prove it.
const nodeModule = require('node:module');
delete nodeModule.register;
delete nodeModule.registerHooks;
// `import { registerHooks } from 'node:module'` must not find them either.
nodeModule.syncBuiltinESMExports();
