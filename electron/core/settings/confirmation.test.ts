import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createCore, type Core } from '../index.ts';

function core(): Core {
  return createCore({ dataDir: mkdtempSync(join(tmpdir(), 'tessera-confirm-')), version: '1', host: 'headless', env: {} }, { logSinks: [] });
}

const call = (c: Core, input: unknown, transport: 'http' | 'ipc' | 'cli') => c.dispatcher.dispatch('settings.set', input, { transport });

describe('changing module paths and kubeconfig files from a renderer', () => {
  it('over HTTP needs the one-time code printed on the terminal; a wrong code voids it; every change is audited', async () => {
    const c = core();
    const printed: string[] = [];
    c.confirmations.setCodePrinter((line) => printed.push(line));
    const patch = { pkcs11Modules: ['/tmp/evil.so'] };
    const first = await call(c, { patch }, 'http');
    expect(first).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', field: 'confirmation', details: { confirmation: 'code' } } });
    expect(c.services.settings.get().pkcs11Modules).toEqual([]);
    expect(printed.at(-1)).toContain('/tmp/evil.so');
    const code = /one-time code (\d{3}-\d{3})/u.exec(printed.at(-1)!)![1]!;

    // A guess voids the code; the right code for another change does not confirm this one.
    const wrong = code === '000-000' ? '111-111' : '000-000';
    expect(await call(c, { patch, confirmation: wrong }, 'http')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    const second = /one-time code (\d{3}-\d{3})/u.exec(printed.at(-1)!)![1]!;
    expect(await call(c, { patch: { kubeconfigFiles: ['/tmp/x'] }, confirmation: second }, 'http')).toMatchObject({ ok: false });
    expect(c.services.settings.get().kubeconfigFiles).toEqual([]);
    const third = /one-time code (\d{3}-\d{3})/u.exec(printed.at(-1)!)![1]!;
    expect(await call(c, { patch: { kubeconfigFiles: ['/tmp/x'] }, confirmation: third }, 'http')).toMatchObject({ ok: true });
    expect(c.services.settings.get().kubeconfigFiles).toEqual(['/tmp/x']);

    // Other settings need no code, and are audited too.
    expect(await call(c, { patch: { theme: 'dark' } }, 'http')).toMatchObject({ ok: true });
    const audited = c.services
      .audit()
      .list()
      .filter((e) => e.action === 'settings.change');
    expect(audited.map((e) => e.details)).toEqual([
      { transport: 'http', kubeconfigFiles: '["/tmp/x"]', confirmedBy: 'terminal code' },
      { transport: 'http', theme: '"dark"' },
    ]);
    await c.close();
  });

  it('over IPC needs a yes in the native dialog the shell supplies; without one nothing changes', async () => {
    const c = core();
    const patch = { pkcs11Modules: ['/opt/vendor/p11.so'] };
    expect(await call(c, { patch }, 'ipc')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', details: { confirmation: 'none' } } });
    const asked: string[] = [];
    let answer = false;
    c.confirmations.setNativeConfirm(async (q) => {
      asked.push(q.detail);
      return answer;
    });
    expect(await call(c, { patch }, 'ipc')).toMatchObject({ ok: false, error: { code: 'FORBIDDEN', details: { confirmation: 'dialog' } } });
    expect(c.services.settings.get().pkcs11Modules).toEqual([]);
    // A code is no way round the dialog.
    expect(await call(c, { patch, confirmation: '123456' }, 'ipc')).toMatchObject({ ok: false });
    answer = true;
    expect(await call(c, { patch }, 'ipc')).toMatchObject({ ok: true });
    expect(c.services.settings.get().pkcs11Modules).toEqual(['/opt/vendor/p11.so']);
    expect(asked[0]).toContain('/opt/vendor/p11.so');
    await c.close();
  });

  it('the command line acts for the person at the terminal', async () => {
    const c = core();
    expect(await call(c, { patch: { pkcs11Modules: ['/usr/lib/softhsm/libsofthsm2.so'] } }, 'cli')).toMatchObject({ ok: true });
    await c.close();
  });
});
