import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TesseraError } from '../../../shared/contract/index.ts';
import { createCore } from '../index.ts';
import { createLogger, memorySink } from '../log/logger.ts';
import { createDispatcher, type Handlers } from './dispatcher.ts';

function core() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-dispatch-'));
  return createCore({ dataDir, version: '9.9.9', host: 'cli', env: { KUBECONFIG: join(dataDir, 'none') } }, { logSinks: [] });
}

describe('dispatcher', () => {
  it('answers a valid call with the service value in an ok envelope', async () => {
    const result = await core().dispatcher.dispatch('app.info', {}, { transport: 'test' });
    expect(result).toMatchObject({ ok: true, value: { name: 'Tessera', version: '9.9.9', host: 'cli' } });
  });

  it('refuses invalid input with INVALID_INPUT naming the field', async () => {
    const result = await core().dispatcher.dispatch('settings.set', { patch: { concurrency: 0 } }, { transport: 'test' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INVALID_INPUT');
    expect(result.error.field).toBe('patch.concurrency');
    expect(result.error.message).toContain('patch.concurrency');
  });

  it('refuses unknown fields rather than ignoring them', async () => {
    const result = await core().dispatcher.dispatch('settings.set', { patch: { colour: 'red' } }, { transport: 'test' });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'patch' } });
  });

  it('answers an unknown channel with NOT_FOUND, not an exception', async () => {
    const result = await core().dispatcher.dispatch('no.such.channel', {}, { transport: 'test' });
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('wraps a service error in the envelope with its code and sentence', async () => {
    const base = core();
    const handlers = {
      'app.info': async () => {
        throw new TesseraError('TOKEN_LOCKED', 'Log in to the token first.');
      },
    } as unknown as Handlers;
    const dispatcher = createDispatcher(handlers, base.log);
    const result = await dispatcher.dispatch('app.info', {}, { transport: 'test' });
    expect(result).toEqual({ ok: false, error: { code: 'TOKEN_LOCKED', message: 'Log in to the token first.' } });
  });

  it('turns an unexpected exception into INTERNAL without leaking its message', async () => {
    const sink = memorySink();
    const handlers = {
      'app.info': async () => {
        throw new Error('secret-value-s3cr3t');
      },
    } as unknown as Handlers;
    const result = await createDispatcher(handlers, createLogger([sink])).dispatch('app.info', {}, { transport: 'test' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INTERNAL');
    expect(JSON.stringify(result)).not.toContain('s3cr3t');
    expect(JSON.stringify(sink.records)).not.toContain('s3cr3t');
  });

  it('persists settings in the data dir and reads them back in a new core', async () => {
    const first = core();
    await first.dispatcher.dispatch('settings.set', { patch: { concurrency: 8, theme: 'dark' } }, { transport: 'test' });
    const second = createCore({ ...first.config }, { logSinks: [] });
    const result = await second.dispatcher.dispatch('settings.get', {}, { transport: 'test' });
    expect(result).toMatchObject({ ok: true, value: { concurrency: 8, theme: 'dark', autoLockMinutes: 10 } });
  });
});
