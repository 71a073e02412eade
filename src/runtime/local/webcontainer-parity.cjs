// Preloaded into every sandbox process by the checkpoint proof: Node as a WebContainer may
// provide it, without `module.register` (ESM loader hooks). Lessons 2-4 must still trace.
const nodeModule = require('node:module');
delete nodeModule.register;
