/**
 * The type declarations of the shop's packages, for the editor: what the site publishes as
 * `/sandbox/declarations-<key>.json.gz` (immutable: its name changes with its contents) and its
 * manifest `/sandbox/declarations.json`. The asset is gzipped JSON, `{ "node_modules/express/package.json": "…", … }`.
 */
import type { ArtifactManifest } from '../snapshot/manifest.ts';

export const DECLARATIONS_MANIFEST = 'declarations.json';

export const declarationsFileName = (key: string) => `declarations-${key}.json.gz`;

export interface DeclarationsManifest extends ArtifactManifest {
  /** Every installed package folder and its version: `{ "node_modules/express": "5.3.0" }`. */
  packages: Record<string, string>;
}
