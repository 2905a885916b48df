// Which boot of the machine this is, so a rollout owned by a pid from before a reboot is never
// taken for a live one (pids are reused across boots).
import { readFileSync } from 'node:fs';
import { uptime } from 'node:os';

let cached: string | null = null;

export function bootId(): string {
  if (cached !== null) return cached;
  try {
    cached = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // No procfs: the boot time, to the minute, is a good enough stand-in.
    cached = `boot-${Math.round((Date.now() / 1000 - uptime()) / 60)}`;
  }
  return cached;
}
