// Writes a part's status (see status.mjs) where the course and the checks read it.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { STATUS_PREFIX, statusFile } from './status.mjs';

/**
 * A reporter for the part `name`, whose own files are in `watched` folders. Each report replaces
 * the last: `{ state, sources?, problem? }`; without `sources`, the last ones still hold.
 */
export function reportStatus(name, watched) {
  const file = statusFile(name);
  let writing = Promise.resolve();
  const reporter = {
    watched,
    current: null,
    report(patch) {
      const status = { name, at: Date.now(), watched: reporter.watched, ...patch, sources: patch.sources ?? reporter.current?.sources ?? {} };
      reporter.current = status;
      // Framed lines only for the course, which reads them out of dev.mjs's output; a shell shows none.
      if (process.env.SHOP_STATUS_FRAMES === '1') process.stdout.write(`${STATUS_PREFIX}${JSON.stringify(status)}\n`);
      writing = writing.then(async () => {
        await mkdir(dirname(file), { recursive: true });
        await writeFile(`${file}.partial`, JSON.stringify(status));
        await rename(`${file}.partial`, file);
      });
      return writing;
    },
  };
  return reporter;
}
