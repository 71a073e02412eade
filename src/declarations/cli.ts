/**
 * `node src/declarations/cli.ts`: builds (or finds in .cache/) the editor's declarations asset, as
 * `npm run build` does as part of the site; `npm test` builds it beside the packages snapshot, so
 * the site's build finds both made.
 */
import { declarationsBuildOptions } from './astro-integration.ts';
import { buildDeclarations } from './build.ts';

const { file, manifest } = await buildDeclarations({ ...declarationsBuildOptions, log: (line) => console.log(line) });
console.log(`${file}\n${manifest.files} files of ${Object.keys(manifest.packages).length} packages`);
