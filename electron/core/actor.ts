// Who is acting on this workstation when no principal has signed: TESSERA_ACTOR, else the OS
// user. Used for audit entries and to say who unlocked a token.
import { userInfo } from 'node:os';

export function actorName(env: NodeJS.ProcessEnv): string {
  if (env.TESSERA_ACTOR) return env.TESSERA_ACTOR;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
