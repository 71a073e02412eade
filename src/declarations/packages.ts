/**
 * Which files of an installed package TypeScript reads, and which packages an install holds. Used
 * where the declarations asset is built and where the editor reads them from a sandbox whose
 * packages the learner changed.
 */

/** Declarations, in every module flavour. */
const isDeclarationFile = (name: string) => /\.d\.[cm]?ts$/.test(name);

/** What TypeScript reads of a package.json: where the declarations are, and how the package is a module. */
const RESOLUTION_FIELDS = ['name', 'version', 'type', 'main', 'types', 'typings', 'typesVersions', 'exports', 'imports'];

function resolutionFields(packageJson: string): string {
  try {
    const all = JSON.parse(packageJson) as Record<string, unknown>;
    return JSON.stringify(Object.fromEntries(RESOLUTION_FIELDS.filter((field) => field in all).map((field) => [field, all[field]])));
  } catch {
    return packageJson; // TypeScript says what is wrong with it
  }
}

interface LockedPackage {
  version?: string;
  link?: boolean;
}

/**
 * Package folders and versions from npm's record of an install (`node_modules/.package-lock.json`,
 * which lists exactly what is installed): `{ "node_modules/express": "5.3.0" }`.
 */
export function installedPackages(hiddenLockfile: string): Record<string, string> {
  const packages = (JSON.parse(hiddenLockfile) as { packages?: Record<string, LockedPackage> }).packages ?? {};
  return Object.fromEntries(
    Object.entries(packages)
      .filter(([path, entry]) => /(^|\/)node_modules\/(@[^/]+\/)?[^/]+$/.test(path) && !entry.link && entry.version)
      .map(([path, entry]) => [path, entry.version!]),
  );
}

/** The package folder a file of node_modules belongs to: the innermost `node_modules/<name>` around it. */
export function packageFolderOf(path: string): string | undefined {
  return /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path)?.[1];
}

/** Files by path from the install's root, as a build's disk or a sandbox runtime gives them. */
export interface InstallFiles {
  readdir(path: string): Promise<{ name: string; kind: 'file' | 'directory' }[]>;
  readFile(path: string): Promise<string>;
}

/**
 * What TypeScript reads of one installed package: its package.json (the fields that say where the
 * declarations are) and its declarations. Packages nested in its node_modules are their own.
 */
export async function packageDeclarations(install: InstallFiles, folder: string): Promise<Record<string, string>> {
  const files: Record<string, string> = { [`${folder}/package.json`]: resolutionFields(await install.readFile(`${folder}/package.json`)) };
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await install.readdir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.kind === 'directory' && entry.name !== 'node_modules') await walk(path);
      else if (entry.kind === 'file' && isDeclarationFile(entry.name)) files[path] = await install.readFile(path);
    }
  };
  await walk(folder);
  return files;
}
