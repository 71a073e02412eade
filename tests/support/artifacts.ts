import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Screenshots and other artifacts go to test-results/ (git-ignored), kept after the run. */
export function artifactPath(name: string): string {
  const dir = fileURLToPath(new URL('../../test-results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  return `${dir}${name}`;
}
