// How the shop's parts tell the course what they are doing, in one place. Each part's state goes
// out two ways, from the same object: a framed line on stdout (the course reads it from the
// terminal's stream, as it reads the collector's envelopes) and a JSON file under
// node_modules/.cache/shop/ (checks and tests inside the sandbox read it). Plain JavaScript with no
// Node imports at the top level, so the course's page can use `sourcesMatch` too.

/** Marks a status line in mixed terminal output: record separator, then a tag. */
export const STATUS_PREFIX = '\u001e@@shop ';

/** Where a part's status file is, relative to the shop's root. */
export const statusFile = (name) => `node_modules/.cache/shop/${name}.status.json`;

/** A short, stable fingerprint of a file's text (FNV-1a, 32 bits): enough to tell versions apart. */
export function fingerprint(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return `${text.length.toString(36)}-${(hash >>> 0).toString(36)}`;
}

/**
 * Whether a status was made from these very sources (see status.d.mts for the shapes). `files` maps paths to their text now (a
 * deleted file is absent); only files under the folders the part watches count.
 */
export function sourcesMatch(status, files) {
  const inWatched = (path) => status.watched.some((folder) => path.startsWith(`${folder}/`));
  const now = Object.entries(files).filter(([path]) => inWatched(path));
  if (now.length !== Object.keys(status.sources).length) return false;
  return now.every(([path, text]) => status.sources[path] === fingerprint(text));
}
