// xterm.js and its stylesheet, loaded together when a terminal first shows: neither blocks the
// lesson's first paint.
import stylesheet from '@xterm/xterm/css/xterm.css?url';
import { loadStylesheet } from './load-stylesheet.ts';

await loadStylesheet(stylesheet);

export { Terminal } from '@xterm/xterm';
export { FitAddon } from '@xterm/addon-fit';
