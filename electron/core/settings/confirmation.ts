// Changes that load native code or run commands — PKCS#11 module paths (dlopen'ed) and kubeconfig
// files (exec plugins) — need a confirmation the renderer cannot give itself: the Electron main
// process's native dialog, or in browser mode a one-time code printed on the terminal running
// `tessera serve`. The command line and tests act for the person at the terminal.
import { randomInt, timingSafeEqual } from 'node:crypto';
import { TesseraError } from '../../../shared/contract/index.ts';

/** Who asks: the transport of the call (the dispatcher's CallContext has this shape). */
export interface Caller {
  transport: 'ipc' | 'http' | 'cli' | 'test';
}

/** Asks the person at the desktop through a dialog the renderer cannot draw or answer. */
export type NativeConfirm = (question: { title: string; message: string; detail: string }) => Promise<boolean>;

export interface SensitiveChange {
  /** What changes, in words ("PKCS#11 modules"). */
  summary: string;
  /** The new values, one a line, for the dialog and the terminal. */
  detail: string;
  /** Identifies exactly this change: a code confirms this change and no other. */
  fingerprint: string;
}

export interface ConfirmationGate {
  /** The Electron shell supplies its native dialog here (null removes it). */
  setNativeConfirm(fn: NativeConfirm | null): void;
  /** `tessera serve` supplies its terminal, where one-time codes are printed. */
  setCodePrinter(fn: ((line: string) => void) | null): void;
  /** Resolves when the change is confirmed; throws FORBIDDEN naming what is needed otherwise. */
  confirm(change: SensitiveChange, ctx: Caller, code: string | undefined): Promise<void>;
}

const CODE_TTL_MS = 5 * 60_000;

export function createConfirmationGate(now: () => number = Date.now): ConfirmationGate {
  let nativeConfirm: NativeConfirm | null = null;
  let printCode: ((line: string) => void) | null = null;
  /** One pending code at a time, for one change; any wrong guess voids it. */
  let pending: { code: string; fingerprint: string; expires: number } | null = null;

  const refuse = (message: string, how: string) => new TesseraError('FORBIDDEN', message, { field: 'confirmation', details: { confirmation: how } });

  return {
    setNativeConfirm: (fn) => void (nativeConfirm = fn),
    setCodePrinter: (fn) => void (printCode = fn),
    async confirm(change, ctx, code) {
      if (ctx.transport === 'cli' || ctx.transport === 'test') return;
      if (ctx.transport === 'ipc') {
        if (!nativeConfirm) throw refuse(`Changing ${change.summary} needs a confirmation in a dialog of the desktop app, which is not available.`, 'none');
        const yes = await nativeConfirm({
          title: 'Tessera',
          message: `Allow the window to change ${change.summary}?`,
          detail: `${change.detail}\n\nThese are loaded as native code or run as commands with your rights. Allow only if you just asked for this change.`,
        });
        if (!yes) throw refuse(`Changing ${change.summary} was not confirmed in the dialog; nothing was changed.`, 'dialog');
        return;
      }
      // Browser mode: a code only the terminal shows.
      const t = now();
      if (code !== undefined && pending && pending.fingerprint === change.fingerprint && pending.expires > t) {
        const a = Buffer.from(code.replace(/\D/gu, ''));
        const b = Buffer.from(pending.code);
        const match = a.length === b.length && timingSafeEqual(a, b);
        pending = null;
        if (match) return;
      } else if (code !== undefined) pending = null;
      if (!printCode) throw refuse(`Changing ${change.summary} needs a one-time code from the terminal, and this host has none.`, 'none');
      pending = { code: String(randomInt(0, 1_000_000)).padStart(6, '0'), fingerprint: change.fingerprint, expires: t + CODE_TTL_MS };
      printCode(
        `tessera: the browser asks to change ${change.summary} to:\n${change.detail
          .split('\n')
          .map((l) => `  ${l}`)
          .join(
            '\n',
          )}\ntessera: if you asked for this, enter the one-time code ${pending.code.slice(0, 3)}-${pending.code.slice(3)} in the browser (valid 5 minutes, one try).`,
      );
      throw refuse(
        `Changing ${change.summary} needs the one-time code just printed on the terminal running "tessera serve"${code === undefined ? '' : ' (the code given was wrong or expired; a new one was printed)'}.`,
        'code',
      );
    },
  };
}
