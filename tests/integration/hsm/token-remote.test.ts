// The token suite against a remote token: SoftHSM2 behind `p11-kit server`, reached through
// p11-kit's client module (see token-suite.ts). Then the connection is cut mid-session and
// restored: Tessera re-initialises the module in its worker and works again without a restart.
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { unwrapOnToken, wrapInSoftware } from '../../../electron/core/hsm/index.ts';
import { tokenSuite } from './token-suite.ts';

tokenSuite('remote', (context) => {
  it('recovers when the connection is cut mid-session and comes back: log in again, no restart', async () => {
    const ctx = context();
    const remote = ctx.backend.remote!;
    const { service, ref } = ctx;
    await service.login(ref, ctx.backend.token.pin);
    const key = await service.generateKey(ref, 'rsa-2048', 'remote-recovery');
    const recipient = await service.recipientForKey(ref, key.keyId);
    const dek = randomBytes(32);
    const wrapped = wrapInSoftware(recipient, dek);
    const session = await service.session(ref);
    expect(await unwrapOnToken(session, wrapped, recipient)).toEqual(dek);
    const seen = ctx.received.length;

    // The connection drops while the token is unlocked: the next operation fails cleanly and says why.
    await remote.cut();
    const down = await ctx.rejects(unwrapOnToken(session, wrapped, recipient));
    expect(down.code).toBe('TOKEN_ABSENT');
    expect(down.message).toMatch(/cannot be reached \(CKR_DEVICE_ERROR\).*re-initialises the module when it is back/u);
    // While it is away the token is not listed (p11-kit's client then has no slot, or the module says it lost its connection).
    const modules = await service.listModules();
    expect(modules[0]!.slots.some((s) => s.token?.serial === ref)).toBe(false);
    expect((await ctx.rejects(service.login(ref, ctx.backend.token.pin))).code).toMatch(/NOT_FOUND|TOKEN_ABSENT|UNAVAILABLE/u);
    expect(session.isUnlocked()).toBe(false);

    // It comes back: the module is finalised and initialised again in its worker, the token is found
    // again under the same name, and a new login works. No new process.
    await remote.restore();
    const back = await service.login(ref, ctx.backend.token.pin);
    expect(back).toMatchObject({ serial: ref, state: 'unlocked' });
    expect((await service.listModules())[0]!.problem).toBeNull();
    const again = await service.session(ref);
    expect(await unwrapOnToken(again, wrapped, recipient)).toEqual(dek);
    const reasons = ctx.received.slice(seen).map((m) => (m.payload as { reason?: string }).reason);
    expect(reasons).toContain('reset');
    expect(reasons).toContain('login');
  }, 120_000);

  it('a connection that drops and returns while idle: the presence check re-initialises the module and asks for a new login', async () => {
    const ctx = context();
    const remote = ctx.backend.remote!;
    const { service, ref } = ctx;
    const [key] = (await service.keys(ref)).filter((k) => k.label === 'remote-recovery');
    const recipient = await service.recipientForKey(ref, key!.keyId);
    const dek = randomBytes(32);
    const wrapped = wrapInSoftware(recipient, dek);
    const seen = ctx.received.length;
    await remote.cut();
    await remote.restore();
    await service.checkPresence();
    const reasons = ctx.received.slice(seen).map((m) => (m.payload as { reason?: string }).reason);
    expect(reasons).toEqual(['reset']);
    const locked = await ctx.rejects(service.session(ref));
    expect(locked.code).toBe('TOKEN_LOCKED');
    await service.login(ref, ctx.backend.token.pin);
    expect(await unwrapOnToken(await service.session(ref), wrapped, recipient)).toEqual(dek);
  }, 120_000);

  it('a connection that drops and returns between two operations: the next one says to log in again, then works', async () => {
    const ctx = context();
    const remote = ctx.backend.remote!;
    const { service, ref } = ctx;
    const [key] = (await service.keys(ref)).filter((k) => k.label === 'remote-recovery');
    const recipient = await service.recipientForKey(ref, key!.keyId);
    const dek = randomBytes(32);
    const wrapped = wrapInSoftware(recipient, dek);
    await remote.cut();
    await remote.restore();
    const session = await service.session(ref);
    const refused = await ctx.rejects(unwrapOnToken(session, wrapped, recipient));
    expect(refused.code).toBe('TOKEN_LOCKED');
    expect(refused.message).toMatch(/lost its connection \(CKR_DEVICE_ERROR\)\. Tessera re-initialised its module; log in to the token again/u);
    await service.login(ref, ctx.backend.token.pin);
    expect(await unwrapOnToken(await service.session(ref), wrapped, recipient)).toEqual(dek);
  }, 120_000);
});
