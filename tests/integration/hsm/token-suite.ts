// The token suite, parameterised by backend (SoftHSM2, a TPM, SoftHSM2 behind p11-kit). It reads
// what the token can do from its mechanism list, as Tessera does, and asserts the full flow where
// the token can and the exact refusal where it cannot. Nothing about a backend is hard-coded here.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventBus, type EventBus } from '../../../electron/core/events.ts';
import { TokenService, unwrapOnToken, verifySignature, wrapInSoftware, wrapOnToken } from '../../../electron/core/hsm/index.ts';
import { createLogger, memorySink } from '../../../electron/core/log/logger.ts';
import { KEY_TYPES, TesseraError, type EventMessage, type KeyType, type TokenInfoView, type TokenKeyView } from '../../../shared/contract/index.ts';
import { backendSkipReason, createBackend, type BackendKind, type TokenBackend } from '../../support/token-backends.ts';

export interface SuiteContext {
  backend: TokenBackend;
  service: TokenService;
  events: EventBus;
  received: EventMessage[];
  /** How channels name the token. */
  ref: string;
  errors: string[];
  rejects(promise: Promise<unknown>): Promise<TesseraError>;
}

const SIZES: Record<KeyType, Partial<TokenKeyView>> = {
  'rsa-2048': { type: 'rsa', size: 2048 },
  'rsa-3072': { type: 'rsa', size: 3072 },
  'rsa-4096': { type: 'rsa', size: 4096 },
  'ec-p256': { type: 'ec', curve: 'P-256' },
  'ec-p384': { type: 'ec', curve: 'P-384' },
  'aes-256': { type: 'aes', size: 256 },
};

/** Defines the suite for one backend; `more` adds backend-specific tests that share its context. */
export function tokenSuite(kind: BackendKind, more?: (ctx: () => SuiteContext) => void): void {
  const skip = backendSkipReason(kind);
  if (skip) console.warn(`[token suite: ${kind}] skipped: ${skip}`);
  describe.skipIf(skip !== null)(`token layer on ${kind}`, () => {
    const sink = memorySink();
    const errors: string[] = [];
    const received: EventMessage[] = [];
    let ctx: SuiteContext;
    const created = new Map<KeyType, TokenKeyView>();
    let token: TokenInfoView;

    beforeAll(async () => {
      const backend = await createBackend(kind);
      const events = createEventBus();
      events.subscribe((m) => void received.push(m));
      const service = new TokenService({
        modulePaths: () => [backend.module],
        log: createLogger([sink]),
        events,
        autoLockMs: () => 3_600_000,
        // Presence is checked by the tests themselves (checkPresence), so no timer races them.
        presencePollMs: 3_600_000,
      });
      ctx = {
        backend,
        service,
        events,
        received,
        ref: '',
        errors,
        async rejects(promise) {
          try {
            await promise;
          } catch (error) {
            expect(error).toBeInstanceOf(TesseraError);
            errors.push((error as TesseraError).message);
            return error as TesseraError;
          }
          throw new Error('expected a rejection');
        },
      };
    }, 120_000);
    afterAll(async () => {
      await ctx?.service.close();
      await ctx?.backend.cleanup();
    });

    it('names the token by module, slot and token info; an uninitialised slot hides nothing', async () => {
      const modules = await ctx.service.listModules();
      expect(modules).toHaveLength(1);
      expect(modules[0]!.problem).toBeNull();
      const tokens = modules[0]!.slots.flatMap((s) => (s.token ? [s.token] : []));
      const initialised = tokens.filter((t) => t.flags.tokenInitialized);
      expect(initialised.map((t) => t.label)).toEqual([ctx.backend.token.label]);
      token = await ctx.service.findToken(ctx.backend.token.label);
      ctx.ref = token.serial;
      const meaningful = token.serialNumber !== '' && !/^0+$/u.test(token.serialNumber);
      expect(token.serial).toBe(meaningful ? token.serialNumber : `${token.serialNumber}/${token.label}`);
      // Found again by the name channels use; an uninitialised token (tpm2-pkcs11 adds one) never takes that name.
      expect((await ctx.service.findToken(ctx.ref)).label).toBe(ctx.backend.token.label);
      for (const t of tokens.filter((x) => !x.flags.tokenInitialized)) expect(t.serial).not.toBe(ctx.ref);
      console.info(`[token suite: ${kind}] token "${token.label}" named ${ctx.ref}; ${tokens.length} slot(s) with a token, ${initialised.length} initialised`);
    });

    it('reads what each key type can do from the mechanism list, and says it in a sentence', () => {
      expect(token.keyTypes.map((c) => c.type)).toEqual([...KEY_TYPES]);
      const names = new Set(token.mechanisms.map((m) => m.name));
      for (const c of token.keyTypes) {
        expect(c.reason.startsWith(`${c.type}: `)).toBe(true);
        if (!c.canCreate) expect(c.reason).toMatch(/CKM_[A-Z0-9_]+|\d+ to \d+ (bits|bytes)/u);
        // The sentence agrees with the list the token gave.
        if (c.type.startsWith('ec-') && c.canCreate) expect(c.recipient).toBe(names.has('CKM_ECDH1_DERIVE'));
        if (c.type === 'aes-256') expect(c.recipient).toBe(c.canCreate && (names.has('CKM_AES_KEY_WRAP_PAD') || names.has('CKM_AES_GCM')));
      }
      console.info(`[token suite: ${kind}] capabilities:\n  ${token.keyTypes.map((c) => c.reason).join('\n  ')}`);
    });

    it('unlocks, creates every key type the token can, and refuses the others with that sentence', async () => {
      await ctx.service.login(ctx.ref, ctx.backend.token.pin);
      for (const c of token.keyTypes) {
        if (c.canCreate) {
          const key = await ctx.service.generateKey(ctx.ref, c.type, `suite-${c.type}`);
          expect(key).toMatchObject({ ...SIZES[c.type], sensitive: true, extractable: false, tokenSerial: ctx.ref });
          created.set(c.type, key);
        } else {
          const refused = await ctx.rejects(ctx.service.generateKey(ctx.ref, c.type, `suite-${c.type}`));
          expect(refused.code).toBe('MECHANISM_UNSUPPORTED');
          expect(refused.message).toContain(c.reason);
        }
      }
      expect(created.size).toBeGreaterThan(0);
    }, 300_000);

    it('each key: wraps and unwraps where it can be a recipient, signs where it can sign, and otherwise names the missing mechanism', async () => {
      const session = await ctx.service.session(ctx.ref);
      for (const [type, key] of created) {
        const c = token.keyTypes.find((x) => x.type === type)!;
        if (c.recipient) {
          const r = await ctx.service.recipientForKey(ctx.ref, key.keyId);
          const dek = randomBytes(32);
          const wrapped = r.kind === 'aes-kw' ? await wrapOnToken(session, r, dek) : wrapInSoftware(r, dek);
          expect(await unwrapOnToken(session, wrapped, r), `${type} unwraps`).toEqual(dek);
        } else {
          const refused = await ctx.rejects(ctx.service.recipientForKey(ctx.ref, key.keyId));
          expect(refused.code).toBe('MECHANISM_UNSUPPORTED');
          expect(refused.message).toMatch(/CKM_[A-Z0-9_]+/u);
        }
        if (type === 'aes-256') continue;
        const data = randomBytes(100);
        if (c.sign) {
          const signed = await ctx.service.sign(ctx.ref, key.keyId, data);
          expect(verifySignature(await session.publicKeyFor(key.keyId), signed.algorithm, data, signed.signature), `${type} signs`).toBe(true);
        } else {
          const refused = await ctx.rejects(ctx.service.sign(ctx.ref, key.keyId, data));
          expect(refused.code).toBe('MECHANISM_UNSUPPORTED');
          expect(refused.message).toMatch(/CKM_[A-Z0-9_]+/u);
        }
      }
    }, 120_000);

    it('lists keys with one attribute read per key, giving what one read per attribute gives', async () => {
      const byId = (a: TokenKeyView, b: TokenKeyView) => a.keyId.localeCompare(b.keyId);
      const batched = (await ctx.service.keys(ctx.ref, { listing: 'batched' })).sort(byId);
      const perAttribute = (await ctx.service.keys(ctx.ref, { listing: 'per-attribute' })).sort(byId);
      expect(batched.length).toBeGreaterThanOrEqual(created.size);
      expect(batched).toEqual(perAttribute);
    });

    more?.(() => ctx);

    it('never logs or returns a PIN', () => {
      const haystack = JSON.stringify(sink.records) + JSON.stringify(received) + errors.join('\n');
      for (const secret of ctx.backend.secrets) expect(haystack).not.toContain(secret);
    });
  });
}
