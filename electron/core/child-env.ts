// Environment hygiene for the processes Tessera starts (kubeconfig exec plugins): a PIN named by
// --pin-env is removed from the environment as soon as it is read, and children get a scrubbed
// copy of the environment with nothing of Tessera's in it.

/** Names of variables that held a secret (a PIN) in this process; never passed on, even if set again. */
const secretNames = new Set<string>();

/**
 * Reads a secret from an environment variable and removes it from `env` (and from process.env),
 * so no child process started later can inherit it.
 */
export function takeSecretVariable(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  secretNames.add(name);
  delete env[name];
  if (env !== process.env) delete process.env[name];
  return value;
}

/** Prefixes of variables that belong to Tessera, its runtime or its launcher, not to a credential plugin. */
const PRIVATE_PREFIXES = ['TESSERA_', 'ELECTRON_', 'npm_', 'NODE_OPTIONS', 'NODE_CHANNEL', 'SOFTHSM2_CONF'];

/** A copy of `env` fit for a child: no variable of Tessera's, no variable that ever held a PIN. */
export function scrubbedEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || secretNames.has(name)) continue;
    if (PRIVATE_PREFIXES.some((p) => name.startsWith(p))) continue;
    out[name] = value;
  }
  return out;
}
