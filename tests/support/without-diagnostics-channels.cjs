// Preloaded by tests: Node as an in-browser runtime may provide it, without
// diagnostics_channel.tracingChannel and with an HTTP server that announces no request on
// `http.server.request.start`. Node's own modules have taken their references already (loaded
// first here); the shop's code sees neither.
require('node:module');
require('node:http');
const channels = require('node:diagnostics_channel');
delete channels.tracingChannel;
// The very channel object Node's HTTP server publishes on: its messages go nowhere.
channels.channel('http.server.request.start').publish = () => {};
require('node:module').syncBuiltinESMExports();
