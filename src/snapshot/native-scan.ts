/**
 * WebContainers run Node compiled for the browser: no native addons (`.node`) and no native
 * executables. This recognises both by their bytes, so a renamed binary is caught too.
 */
const startsWith = (bytes: Uint8Array, ...magic: number[]) => magic.every((byte, i) => bytes[i] === byte);
const uint32 = (bytes: Uint8Array, at: number) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);

/** What kind of native file this is, or null when it is not native code. */
export function nativeKind(path: string, bytes: Uint8Array): string | null {
  if (path.endsWith('.node')) return 'a native Node addon (.node)';
  if (startsWith(bytes, 0x7f, 0x45, 0x4c, 0x46)) return 'an ELF binary (Linux)';
  if (
    startsWith(bytes, 0xfe, 0xed, 0xfa, 0xce) ||
    startsWith(bytes, 0xfe, 0xed, 0xfa, 0xcf) ||
    startsWith(bytes, 0xce, 0xfa, 0xed, 0xfe) ||
    startsWith(bytes, 0xcf, 0xfa, 0xed, 0xfe)
  ) {
    return 'a Mach-O binary (macOS)';
  }
  // A universal Mach-O shares its magic with Java class files; those carry a version, not a small count.
  if (startsWith(bytes, 0xca, 0xfe, 0xba, 0xbe) && bytes.length >= 8 && bytes[4] === 0 && bytes[5] === 0 && bytes[6] === 0 && bytes[7]! > 0 && bytes[7]! < 20) {
    return 'a universal Mach-O binary (macOS)';
  }
  if (startsWith(bytes, 0x4d, 0x5a) && bytes.length >= 0x40) {
    const peOffset = uint32(bytes, 0x3c);
    if (peOffset + 4 <= bytes.length && startsWith(bytes.subarray(peOffset), 0x50, 0x45, 0x00, 0x00)) return 'a PE binary (Windows)';
  }
  return null;
}

export interface NativeFile {
  path: string;
  kind: string;
}

export function findNativeFiles(files: Iterable<[path: string, contents: Uint8Array]>): NativeFile[] {
  const found: NativeFile[] = [];
  for (const [path, contents] of files) {
    const kind = nativeKind(path, contents);
    if (kind) found.push({ path, kind });
  }
  return found;
}
