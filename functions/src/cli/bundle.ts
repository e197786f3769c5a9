/**
 * What the CLI bundle (`dist-cli/taxi-elt.mjs`, made by `npm run build`) exports: the CLI that
 * `bin/taxi-elt` runs, and the embedded month run with its configuration, for programs that drive and
 * time it step by step as the CLI would run it (the benchmark).
 */
export { main } from './main.js';
export { runMonth } from '../local/run-month.js';
export { parseConfig } from '../config.js';
