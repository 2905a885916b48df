// Finds PKCS#11 module files: the ones the user configured and the well-known install paths
// of SoftHSM2, OpenSC, YubiHSM 2, p11-kit (proxy and remote client) and tpm2-pkcs11 on each OS.
// Reports problems, never throws.
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
    'p11-kit': [
      '/usr/lib/x86_64-linux-gnu/p11-kit-proxy.so',
      '/usr/lib/aarch64-linux-gnu/p11-kit-proxy.so',
      '/usr/lib64/p11-kit-proxy.so',
      '/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-proxy.so',
    ],
    'p11-kit-client': [
      '/usr/lib/x86_64-linux-gnu/pkcs11/p11-kit-client.so',
      '/usr/lib/aarch64-linux-gnu/pkcs11/p11-kit-client.so',
      '/usr/lib64/pkcs11/p11-kit-client.so',
      '/usr/lib/pkcs11/p11-kit-client.so',
    ],
    'tpm2-pkcs11': [
      '/usr/lib/x86_64-linux-gnu/pkcs11/libtpm2_pkcs11.so',
      '/usr/lib/aarch64-linux-gnu/pkcs11/libtpm2_pkcs11.so',
      '/usr/lib/x86_64-linux-gnu/libtpm2_pkcs11.so.1',
      '/usr/lib/aarch64-linux-gnu/libtpm2_pkcs11.so.1',
      '/usr/lib64/pkcs11/libtpm2_pkcs11.so',
      '/usr/local/lib/libtpm2_pkcs11.so',
    ],
  },
  darwin: {
    softhsm2: ['/opt/homebrew/lib/softhsm/libsofthsm2.so', '/usr/local/lib/softhsm/libsofthsm2.so'],
    opensc: ['/Library/OpenSC/lib/opensc-pkcs11.so', '/opt/homebrew/lib/opensc-pkcs11.so'],
    yubihsm: ['/usr/local/lib/pkcs11/yubihsm_pkcs11.dylib', '/opt/homebrew/lib/pkcs11/yubihsm_pkcs11.dylib'],
    'p11-kit': ['/opt/homebrew/lib/p11-kit-proxy.dylib'],
    'p11-kit-client': ['/opt/homebrew/lib/pkcs11/p11-kit-client.so'],
    'tpm2-pkcs11': [],
  },
  win32: {
    softhsm2: ['C:\\SoftHSM2\\lib\\softhsm2-x64.dll'],
    opensc: ['C:\\Windows\\System32\\opensc-pkcs11.dll', 'C:\\Program Files\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll'],
    yubihsm: ['C:\\Program Files\\Yubico\\YubiHSM Shell\\bin\\pkcs11\\yubihsm_pkcs11.dll'],
    'p11-kit': [],
    'p11-kit-client': [],
    'tpm2-pkcs11': [],
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

/**
 * Whether a discovered module is loaded when none are configured: never p11-kit's proxy (it would
 * list the same tokens a second time); p11-kit's client only when a server address is set; the
 * TPM module only where a TPM is reachable (a resource manager device or a TCTI is named).
 */
export function loadByDefault(module: Pkcs11ModuleFile, env: Record<string, string | undefined>, exists: (path: string) => boolean = defaultExists): boolean {
  if (module.kind === 'p11-kit') return false;
  if (module.kind === 'p11-kit-client') return !!env.P11_KIT_SERVER_ADDRESS;
  if (module.kind === 'tpm2-pkcs11') return !!env.TPM2_PKCS11_TCTI || !!env.TPM2TOOLS_TCTI || exists('/dev/tpmrm0');
  return true;
}

function defaultExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
