// Where Tessera keeps its data: the OS's per-user app-data folder, unless overridden.
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.TESSERA_DATA_DIR) return env.TESSERA_DATA_DIR;
  const home = homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Tessera');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Tessera');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'Tessera');
}
