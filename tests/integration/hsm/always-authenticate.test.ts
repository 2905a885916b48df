// Keys that need the PIN for every operation (CKA_ALWAYS_AUTHENTICATE, as on PIV cards and
// YubiKeys): made on SoftHSM2 with OpenSC's pkcs11-tool --always-auth, then unwrapped with and
// signed with through Tessera, one context-specific login per operation. Without a PIN for the
// operation it is refused in place (the token stays unlocked and says it waits for one); a PIN
// given through login approves exactly one operation; the CLI's PIN source answers each time.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus } from '../../../electron/core/events.ts';
import { TokenService, unwrapOnToken, verifySignature, wrapInSoftware } from '../../../electron/core/hsm/index.ts';
import { createLogger, memorySink } from '../../../electron/core/log/logger.ts';
import { TesseraError } from '../../../shared/contract/index.ts';
import { createSoftHsm, softHsmSkipReason, type SoftHsm } from '../../support/softhsm.ts';
import type * as Pkcs11js from 'pkcs11js';

const skip = softHsmSkipReason();
if (skip) console.warn(`[always-authenticate.test] skipped: ${skip}`);

const SPEC = { label: 'piv-like', pin: '318270-piv-pin', soPin: '556102-piv-so' };
const WRONG = '000000-wrong-pin';

describe.skipIf(skip !== null)('keys with CKA_ALWAYS_AUTHENTICATE on SoftHSM2', () => {
  const sink = memorySink();
  const messages: string[] = [];
  let hsm: SoftHsm;
  let service: TokenService;
  let ref: string;
  let rsaId: string;
  let ecId: string;

  async function rejects(promise: Promise<unknown>): Promise<TesseraError> {
    try {
      await promise;
    } catch (error) {
      expect(error).toBeInstanceOf(TesseraError);
      messages.push((error as TesseraError).message);
      return error as TesseraError;
    }
    throw new Error('expected a rejection');
  }
  const viewOf = async () => (await service.listModules())[0]!.slots.find((s) => s.token?.serial === ref)!.token!;

  beforeAll(async () => {
    hsm = createSoftHsm([SPEC]);
    const tool = (...args: string[]) =>
      execFileSync('pkcs11-tool', ['--module', hsm.module, '--token-label', SPEC.label, '--login', '--pin', SPEC.pin, ...args], {
        env: hsm.env,
        stdio: 'pipe',
      });
    tool('--keypairgen', '--key-type', 'rsa:2048', '--id', 'a1', '--label', 'piv-rsa', '--always-auth');
    tool('--keypairgen', '--key-type', 'EC:prime256v1', '--id', 'a2', '--label', 'piv-ec', '--always-auth');
    service = new TokenService({ modulePaths: () => [hsm.module], log: createLogger([sink]), events: createEventBus(), autoLockMs: () => 3_600_000 });
    ref = hsm.tokens[0]!.serial;
    await service.login(ref, SPEC.pin);
    const keys = await service.keys(ref);
    rsaId = keys.find((k) => k.label === 'piv-rsa')!.keyId;
    ecId = keys.find((k) => k.label === 'piv-ec')!.keyId;
  }, 120_000);
  afterAll(async () => {
    await service?.close();
    hsm?.cleanup();
  });

  it('lists the keys as asking for the PIN at every use', async () => {
    const keys = await service.keys(ref);
    expect(keys.filter((k) => k.alwaysAuthenticate).map((k) => k.label)).toEqual(expect.arrayContaining(['piv-rsa', 'piv-ec']));
  });

  it('the token itself refuses an operation without the context-specific login (so the login Tessera does is real)', () => {
    // Plain pkcs11js in this process: the token is logged in (login state is per application), but
    // the key still refuses to decrypt without CKU_CONTEXT_SPECIFIC.
    const p = createRequire(import.meta.url)('pkcs11js') as typeof Pkcs11js;
    const lib = new p.PKCS11();
    lib.load(hsm.module);
    try {
      lib.C_Initialize({ flags: p.CKF_OS_LOCKING_OK });
    } catch {
      // already initialised by Tessera's worker in this process
    }
    const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).serialNumber.trim() === ref)!;
    const session = lib.C_OpenSession(slot, p.CKF_SERIAL_SESSION);
    try {
      lib.C_FindObjectsInit(session, [
        { type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY },
        { type: p.CKA_ID, value: Buffer.from(rsaId, 'hex') },
      ]);
      const [key] = lib.C_FindObjects(session, 1);
      lib.C_FindObjectsFinal(session);
      lib.C_SignInit(session, { mechanism: p.CKM_SHA256_RSA_PKCS }, key!);
      expect(() => lib.C_Sign(session, Buffer.from('data'), Buffer.alloc(512))).toThrow(/CKR_USER_NOT_LOGGED_IN/u);
    } finally {
      lib.C_CloseSession(session);
    }
  });

  it('without a PIN for the operation: refused in place, the token stays unlocked and says it waits for the PIN', async () => {
    const refused = await rejects(service.recipientForKey(ref, rsaId));
    expect(refused.code).toBe('TOKEN_LOCKED');
    expect(refused.message).toContain('asks for the PIN for every use (CKA_ALWAYS_AUTHENTICATE)');
    expect(refused.details).toMatchObject({ alwaysAuthenticate: true, keyId: rsaId });
    const view = await viewOf();
    expect(view).toMatchObject({ state: 'unlocked', operationPinNeeded: true });
  });

  it('a PIN given through login approves exactly one operation: unwrap once, then it asks again', async () => {
    await service.login(ref, SPEC.pin);
    expect((await viewOf()).operationPinNeeded).toBe(false);
    // The recipient probe is one decrypt (SoftHSM2 2.6 refuses SHA-256 OAEP before any login, so the approval carries to SHA-1).
    const recipient = await service.recipientForKey(ref, rsaId);
    expect(recipient).toMatchObject({ kind: 'rsa-oaep', oaepHash: 'sha1' });
    const dek = randomBytes(32);
    const wrapped = wrapInSoftware(recipient, dek);
    const session = await service.session(ref);
    expect((await rejects(unwrapOnToken(session, wrapped, recipient))).code).toBe('TOKEN_LOCKED');
    await service.login(ref, SPEC.pin);
    expect(await unwrapOnToken(session, wrapped, recipient)).toEqual(dek);
    const again = await rejects(unwrapOnToken(session, wrapped, recipient));
    expect(again.details).toMatchObject({ alwaysAuthenticate: true });
  });

  it('signing (an approval) asks each time: one PIN, one signature', async () => {
    const data = randomBytes(64);
    expect((await rejects(service.sign(ref, ecId, data))).code).toBe('TOKEN_LOCKED');
    await service.login(ref, SPEC.pin);
    const signed = await service.sign(ref, ecId, data);
    const spki = await (await service.session(ref)).publicKeyFor(ecId);
    expect(verifySignature(spki, signed.algorithm, data, signed.signature)).toBe(true);
    expect((await rejects(service.sign(ref, ecId, data))).code).toBe('TOKEN_LOCKED');
  });

  it('the CLI way: the same PIN source answers each operation, one context-specific login each', async () => {
    let asked = 0;
    service.setOperationPinSource(() => {
      asked++;
      return SPEC.pin;
    });
    try {
      const recipient = await service.recipientForKey(ref, rsaId);
      const session = await service.session(ref);
      for (let i = 0; i < 3; i++) {
        const dek = randomBytes(32);
        expect(await unwrapOnToken(session, wrapInSoftware(recipient, dek), recipient)).toEqual(dek);
      }
      const data = randomBytes(64);
      const signed = await service.sign(ref, ecId, data);
      expect(verifySignature(await session.publicKeyFor(ecId), signed.algorithm, data, signed.signature)).toBe(true);
      expect(asked).toBe(4);
    } finally {
      service.setOperationPinSource(undefined);
    }
  });

  it('a wrong PIN for the operation is PIN_INCORRECT, and the key still works with the right one', async () => {
    const data = randomBytes(64);
    await service.login(ref, WRONG);
    const wrong = await rejects(service.sign(ref, ecId, data));
    expect(wrong.code).toBe('PIN_INCORRECT');
    expect(wrong.message).not.toContain(WRONG);
    await service.login(ref, SPEC.pin);
    expect((await service.sign(ref, ecId, data)).signature.length).toBe(64);
  });

  it('never logs or returns a PIN', () => {
    const haystack = JSON.stringify(sink.records) + messages.join('\n');
    for (const pin of [SPEC.pin, SPEC.soPin, WRONG]) expect(haystack).not.toContain(pin);
  });
});
