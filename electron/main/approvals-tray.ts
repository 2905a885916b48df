// The tray icon and dock/launcher badge with the number of plans waiting for this user's
// approval. The count comes from the core's dispatcher (the same channels the UI reads) and the
// pure rule in approval-badge.ts; it is refreshed when a rollout changes state and every minute.
import { app, Menu, nativeImage, Tray } from 'electron';
import type { Core } from '../core/index.ts';
import { actorName } from '../core/actor.ts';
import { badgeTooltip, countAwaitingApproval } from './approval-badge.ts';

const REFRESH_MS = 60_000;

/** How many plans wait for this desk's user (0 when the user is no principal or the vault is empty). */
function countForThisDesk(core: Core): Promise<number> {
  const call = async <T>(channel: string, input: unknown): Promise<T | null> => {
    const result = await core.dispatcher.dispatch(channel, input, { transport: 'ipc' });
    return result.ok ? (result.value as T) : null;
  };
  return countAwaitingApproval(call, actorName(core.services.env));
}

export interface ApprovalBadge {
  /** Count again now (after a call that may have changed plans or approvals). */
  refresh(): void;
  stop(): void;
}

export function startApprovalBadge(core: Core, iconPath: string, openRollouts: () => void): ApprovalBadge {
  let tray: Tray | null = null;
  try {
    tray = new Tray(nativeImage.createFromPath(iconPath));
    tray.on('click', openRollouts);
  } catch {
    // Some Linux desktops have no tray; the launcher badge still shows the count.
    tray = null;
  }
  let count = -1;
  let running = false;
  const refresh = async () => {
    if (running) return;
    running = true;
    try {
      const next = await countForThisDesk(core);
      if (next === count) return;
      count = next;
      app.setBadgeCount(count);
      if (tray) {
        tray.setToolTip(badgeTooltip(count));
        if (process.platform === 'darwin') tray.setTitle(count > 0 ? String(count) : '');
        tray.setContextMenu(
          Menu.buildFromTemplate([
            { label: count > 0 ? `Plans Waiting for Approval (${count})` : 'Rollouts', click: openRollouts },
            { type: 'separator' },
            { role: 'quit' },
          ]),
        );
      }
    } catch (error) {
      core.log.warn('could not count plans waiting for approval', { error: error instanceof Error ? error.name : 'error' });
    } finally {
      running = false;
    }
  };
  const stopEvents = core.events.subscribe((message) => {
    if (message.event === 'rollout.state' || message.event === 'token.state') void refresh();
  });
  const timer = setInterval(() => void refresh(), REFRESH_MS);
  void refresh();
  return {
    refresh: () => void refresh(),
    stop() {
      clearInterval(timer);
      stopEvents();
      tray?.destroy();
    },
  };
}
