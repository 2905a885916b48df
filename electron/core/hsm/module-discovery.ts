// Finds PKCS#11 module files: the ones the user configured and the well-known install paths
// of SoftHSM2, OpenSC, YubiHSM 2 and p11-kit on each OS. Reports problems, never throws.
import { realpathSync, statSync } from 'node:fs';
import type { Pkcs11ModuleFile } from '../../../shared/contract/index.ts';

type WellKnownKind = Exclude<Pkcs11ModuleFile['kind'], 'configured'>;

const WELL_KNOWN: Record<string, Record<WellKnownKind, string[]>> = {
  linux: {
    softhsm2: [
      '/usr/lib/softhsm/libsofthsm2.so',
      '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
      '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
      '/usr/lib64/pkcs11/libsofthsm2.so',
      '/usr/local/lib/softhsm/libsofthsm2.so',
    ],
    opensc: [
      '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so',
      '/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so',
      '/usr/lib64/opensc-pkcs11.so',
      '/usr/lib/opensc-pkcs11.so',
      '/usr/local/lib/opensc-pkcs11.so',
    ],
    yubihsm: [
      '/usr/lib/x86_64-linux-gnu/pkcs11/yubihsm_pkcs11.so',
      '/usr/lib/aarch64-linux-gnu/pkcs11/yubihsm_pkcs11.so',
      '/usr/lib64/pkcs11/yubihsm_pkcs11.so',
      '/usr/local/lib/pkcs11/yubihsm_pkcs11.so',
    ],
    'p11-kit': ['/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so', '/usr/lib/aarch64-linux-gnu/p11-kit-proxy.so', '/usr/lib64/p11-kit-proxy.so'],
  },
  darwin: {
    softhsm2: ['/opt/homebrew/lib/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so'],
    opensc: ['/Library/OpenSC/lib/opensc-pkcs11.so', '/opt/homebrew/lib/opensc-pkcs11.so'],
    yubihsm: ['/usr/local/lib/pkcs11/yubihsm_pkcs11.dylib', '/opt/homebrew/lib/pkcs11/yubihsm_pkcs11.dylib'],
    'p11-kit': ['/opt/homebrew/lib/p11-kit-proxy.dylib'],
  },
  win32: {
    softhsm2: ['C:\\SoftHSM2\\lib\\softhsm2-x64.dll'],
    opensc: ['C:\\Windows\\System32\\opensc-pkcs11.dll', 'C:\\Program Files\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll'],
    yubihsm: ['C:\\Program Files\\Yubico\\YubiHSM Shell\\bin\\pkcs11\\yubihsm_pkcs11.dll'],
    'p11-kit': [],
  },
};

export interface DiscoveryOptions {
  configured: string[];
  platform?: NodeJS.Platform;
  /** Replaces the well-known table (tests). */
  wellKnown?: Record<WellKnownKind, string[]>;
}

function fileProblem(path: string): string | null {
  try {
    const stat = statSync(path);
    return stat.isFile() ? null : `${path} is not a file.`;
  } catch {
    return `No file at ${path}. Check the path in Settings → PKCS#11 modules.`;
  }
}

function realpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export function discoverModules(options: DiscoveryOptions): Pkcs11ModuleFile[] {
  const seen = new Set<string>();
  const result: Pkcs11ModuleFile[] = [];
  for (const path of options.configured) {
    if (seen.has(path)) continue;
    seen.add(path);
    const problem = fileProblem(path);
    result.push({ path, kind: 'configured', found: problem === null, problem });
  }
  const table = options.wellKnown ?? WELL_KNOWN[options.platform ?? process.platform] ?? WELL_KNOWN.linux!;
  // One library reached by two paths (a distribution's symlink) is one module: loading it
  // twice would show every token twice.
  const realSeen = new Set(result.filter((m) => m.found).map((m) => realpath(m.path)));
  for (const [kind, paths] of Object.entries(table) as [WellKnownKind, string[]][]) {
    for (const path of paths) {
      if (seen.has(path) || fileProblem(path) !== null || realSeen.has(realpath(path))) continue;
      seen.add(path);
      realSeen.add(realpath(path));
      result.push({ path, kind, found: true, problem: null });
    }
  }
  return result;
}
