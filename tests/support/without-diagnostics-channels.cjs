// Preloaded by tests: Node as an in-browser runtime may provide it, without
// diagnostics_channel.tracingChannel. Node's own modules have taken their reference already
// (loaded first here); the shop's code sees none.
require('node:module');
require('node:http');
const channels = require('node:diagnostics_channel');
delete channels.tracingChannel;
require('node:module').syncBuiltinESMExports();
