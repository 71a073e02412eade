// Loaded first into every process of a local sandbox (--import, see bridge.ts): Node as an
// in-browser WebContainer may provide it, with neither ESM loader-hook API. Nothing the shop, its
// checks or a lesson needs may rely on them, and this makes the local runtime prove it.
// (--import, not --require: a required preload reads the package.json of the folder it runs in,
// and a learner's broken package.json would then stop every process before npm could say why.)
import nodeModule from 'node:module';

delete nodeModule.register;
delete nodeModule.registerHooks;
// `import { registerHooks } from 'node:module'` must not find them either.
nodeModule.syncBuiltinESMExports();
