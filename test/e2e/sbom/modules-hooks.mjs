// Module customization hooks for the start-up tests (registered by modules-preload.mjs; Node runs
// them off the main thread): appends the URL of every ES module the process loads to the file
// named in `data.log`, before the module runs, so the file is complete when the process exits.
import { appendFileSync } from 'node:fs';

let log;

export function initialize(data) {
  log = data.log;
}

export async function load(url, context, nextLoad) {
  appendFileSync(log, `${url}\n`);
  return nextLoad(url, context);
}
