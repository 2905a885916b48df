// Token-layer overhead: unwraps and signatures per second through Tessera's layer (worker thread,
// message passing, key lookup, KDF) against a plain synchronous pkcs11js loop on the same SoftHSM2
// keys. Tessera is measured two ways: sequentially (one operation awaited before the next, as the
// plain loop does) and pipelined (several operations in flight, which keeps the worker thread
// busy while results travel back; this is how a caller opening many versions would use it).
// Returns numbers; `npm run bench` (B4) reports them.
import type * as Pkcs11js from 'pkcs11js';
import { createHash, createPublicKey, hkdfSync, createDecipheriv, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createEventBus } from '../electron/core/events.ts';
import { createLogger } from '../electron/core/log/logger.ts';
import { TokenService, ecdhEsInfo, unwrapOnToken, wrapInSoftware, wrapOnToken } from '../electron/core/hsm/index.ts';
import { P11KIT_CLIENT_MODULE, p11KitSkipReason, serveRemoteToken } from '../tests/support/p11kit.ts';
import { createSoftHsm } from '../tests/support/softhsm.ts';

export interface OverheadRow {
  /** Operations per second through Tessera's token layer. */
  tessera: number;
  /** Operations per second with pkcs11js called directly on the main thread. */
  plain: number;
  /** tessera / plain (1 = no overhead). */
  ratio: number;
  /** Operations per second through Tessera's layer with `pipelineDepth` operations in flight. */
  tesseraPipelined: number;
  /** tesseraPipelined / plain. */
  ratioPipelined: number;
}

export interface TokenOverheadResult {
  rsaOaep3072Unwrap: OverheadRow;
  ecdhEsP256Unwrap: OverheadRow;
  aes256KwpUnwrap: OverheadRow;
  ecdsaP256Sign: OverheadRow;
  durationMsPerCase: number;
  pipelineDepth: number;
}

async function rate(durationMs: number, op: () => Promise<unknown> | unknown): Promise<number> {
  await op(); // warm-up
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < durationMs) {
    await op();
    n++;
  }
  return n / ((performance.now() - start) / 1000);
}

/** Like rate(), with `depth` operations kept in flight. */
async function pipelinedRate(durationMs: number, depth: number, op: () => Promise<unknown>): Promise<number> {
  await op(); // warm-up
  let n = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: depth }, async () => {
      while (performance.now() - start < durationMs) {
        await op();
        n++;
      }
    }),
  );
  return n / ((performance.now() - start) / 1000);
}

export async function tokenOverhead(options: { durationMs?: number; pipelineDepth?: number } = {}): Promise<TokenOverheadResult> {
  const durationMs = options.durationMs ?? 1500;
  const depth = options.pipelineDepth ?? 4;
  const PIN = randomBytes(8).toString('hex');
  const hsm = createSoftHsm([{ label: 'bench', pin: PIN, soPin: randomBytes(8).toString('hex') }]);
  const serial = hsm.tokens[0]!.serial;
  try {
    // ---- through Tessera ----
    const service = new TokenService({ modulePaths: () => [hsm.module], log: createLogger([]), events: createEventBus(), autoLockMs: () => 3_600_000 });
    await service.login(serial, PIN);
    const rsa = await service.generateKey(serial, 'rsa-3072', 'bench-rsa');
    const ec = await service.generateKey(serial, 'ec-p256', 'bench-ec');
    const aes = await service.generateKey(serial, 'aes-256', 'bench-aes');
    const session = await service.session(serial);
    const dek = randomBytes(32);
    const rRsa = await service.recipientForKey(serial, rsa.keyId);
    const rEc = await service.recipientForKey(serial, ec.keyId);
    const rAes = await service.recipientForKey(serial, aes.keyId);
    const wRsa = wrapInSoftware(rRsa, dek);
    const wEc = wrapInSoftware(rEc, dek);
    const wAes = await wrapOnToken(session, rAes, dek);
    const digestInput = Buffer.from('tessera benchmark plan');
    const tessera = {
      rsa: await rate(durationMs, () => unwrapOnToken(session, wRsa, rRsa)),
      ec: await rate(durationMs, () => unwrapOnToken(session, wEc, rEc)),
      aes: await rate(durationMs, () => unwrapOnToken(session, wAes, rAes)),
      sign: await rate(durationMs, () => service.sign(serial, ec.keyId, digestInput)),
    };
    const pipelined = {
      rsa: await pipelinedRate(durationMs, depth, () => unwrapOnToken(session, wRsa, rRsa)),
      ec: await pipelinedRate(durationMs, depth, () => unwrapOnToken(session, wEc, rEc)),
      aes: await pipelinedRate(durationMs, depth, () => unwrapOnToken(session, wAes, rAes)),
      sign: await pipelinedRate(durationMs, depth, () => service.sign(serial, ec.keyId, digestInput)),
    };
    await service.close();

    // ---- plain pkcs11js on the main thread ----
    const p = createRequire(import.meta.url)('pkcs11js') as typeof Pkcs11js;
    const lib = new p.PKCS11();
    lib.load(hsm.module);
    lib.C_Initialize({ flags: p.CKF_OS_LOCKING_OK });
    const plain = { rsa: 0, ec: 0, aes: 0, sign: 0 };
    try {
      const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).serialNumber.trim() === serial)!;
      const s = lib.C_OpenSession(slot, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION);
      lib.C_Login(s, p.CKU_USER, PIN);
      const find = (cls: number, id: string) => {
        lib.C_FindObjectsInit(s, [
          { type: p.CKA_CLASS, value: cls },
          { type: p.CKA_ID, value: Buffer.from(id, 'hex') },
        ]);
        const [h] = lib.C_FindObjects(s, 1);
        lib.C_FindObjectsFinal(s);
        return h!;
      };
      const kRsa = find(p.CKO_PRIVATE_KEY, rsa.keyId);
      const kEc = find(p.CKO_PRIVATE_KEY, ec.keyId);
      const kAes = find(p.CKO_SECRET_KEY, aes.keyId);
      const secret = [
        { type: p.CKA_CLASS, value: p.CKO_SECRET_KEY },
        { type: p.CKA_KEY_TYPE, value: p.CKK_GENERIC_SECRET },
        { type: p.CKA_TOKEN, value: false },
        { type: p.CKA_SENSITIVE, value: false },
        { type: p.CKA_EXTRACTABLE, value: true },
      ];
      const epkJwk = createPublicKey({ key: wEc.epk!, format: 'der', type: 'spki' }).export({ format: 'jwk' });
      const point = Buffer.concat([Buffer.from([4]), Buffer.from(epkJwk.x!, 'base64url'), Buffer.from(epkJwk.y!, 'base64url')]);
      const info = ecdhEsInfo('P-256', wEc.epk!, rEc.publicKeySpki!);
      plain.rsa = await rate(durationMs, () => {
        lib.C_DecryptInit(
          s,
          {
            mechanism: p.CKM_RSA_PKCS_OAEP,
            parameter: { type: p.CK_PARAMS_RSA_OAEP, hashAlg: p.CKM_SHA_1, mgf: p.CKG_MGF1_SHA1, source: 1 } as { type: number },
          },
          kRsa,
        );
        return lib.C_Decrypt(s, wRsa.data, Buffer.alloc(512));
      });
      plain.ec = await rate(durationMs, () => {
        const d = lib.C_DeriveKey(
          s,
          { mechanism: p.CKM_ECDH1_DERIVE, parameter: { type: p.CK_PARAMS_EC_DH, kdf: p.CKD_NULL, publicData: point } as { type: number } },
          kEc,
          [...secret, { type: p.CKA_VALUE_LEN, value: 32 }],
        );
        const z = lib.C_GetAttributeValue(s, d, [{ type: p.CKA_VALUE }])[0]!.value;
        lib.C_DestroyObject(s, d);
        const kek = Buffer.from(hkdfSync('sha256', z, Buffer.alloc(0), info, 32));
        const dc = createDecipheriv('id-aes256-wrap', kek, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
        return Buffer.concat([dc.update(wEc.data), dc.final()]);
      });
      plain.aes = await rate(durationMs, () => {
        const u = lib.C_UnwrapKey(s, { mechanism: p.CKM_AES_KEY_WRAP_PAD }, kAes, wAes.data, secret);
        const v = lib.C_GetAttributeValue(s, u, [{ type: p.CKA_VALUE }])[0]!.value;
        lib.C_DestroyObject(s, u);
        return v;
      });
      plain.sign = await rate(durationMs, () => {
        lib.C_SignInit(s, { mechanism: p.CKM_ECDSA }, kEc);
        return lib.C_Sign(s, createHash('sha256').update(digestInput).digest(), Buffer.alloc(128));
      });
      lib.C_Logout(s);
      lib.C_CloseSession(s);
    } finally {
      lib.C_Finalize();
      lib.close();
    }
    const row = (t: number, tp: number, q: number): OverheadRow => ({
      tessera: Math.round(t),
      plain: Math.round(q),
      ratio: Number((t / q).toFixed(3)),
      tesseraPipelined: Math.round(tp),
      ratioPipelined: Number((tp / q).toFixed(3)),
    });
    return {
      rsaOaep3072Unwrap: row(tessera.rsa, pipelined.rsa, plain.rsa),
      ecdhEsP256Unwrap: row(tessera.ec, pipelined.ec, plain.ec),
      aes256KwpUnwrap: row(tessera.aes, pipelined.aes, plain.aes),
      ecdsaP256Sign: row(tessera.sign, pipelined.sign, plain.sign),
      durationMsPerCase: durationMs,
      pipelineDepth: depth,
    };
  } finally {
    hsm.cleanup();
  }
}

/** B4 on a remote token: SoftHSM2 behind `p11-kit server`, reached through p11-kit's client module. */
export interface RemoteTokenResult {
  /** RSA-OAEP 2048 unwrap, sequential: Tessera vs plain pkcs11js through the same client module (goal ≥ 0.95: the round trip dominates). */
  rsaOaep2048Unwrap: { tessera: number; plain: number; ratio: number };
  /** Unlock (login) to the key list with `keys` keys on the token, median ms: one read per attribute (before) and one per key (after). */
  unlockToKeyList: { keys: number; perAttributeMs: number; batchedMs: number; speedup: number };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Null when p11-kit's client or server is not installed. */
export async function remoteTokenOverhead(options: { durationMs?: number; listRuns?: number } = {}): Promise<RemoteTokenResult | null> {
  if (p11KitSkipReason()) return null;
  const durationMs = options.durationMs ?? 1500;
  const listRuns = options.listRuns ?? 5;
  const PIN = randomBytes(8).toString('hex');
  const hsm = createSoftHsm([{ label: 'remote-bench', pin: PIN, soPin: randomBytes(8).toString('hex') }]);
  const remote = await serveRemoteToken(hsm, 'remote-bench');
  try {
    const service = new TokenService({
      modulePaths: () => [P11KIT_CLIENT_MODULE],
      log: createLogger([]),
      events: createEventBus(),
      autoLockMs: () => 3_600_000,
    });
    const ref = (await service.findToken('remote-bench')).serial;
    await service.login(ref, PIN);
    // Six keys, as in the report that asked for batching: two RSA, four EC.
    const rsa = await service.generateKey(ref, 'rsa-2048', 'bench-rsa-1');
    await service.generateKey(ref, 'rsa-2048', 'bench-rsa-2');
    for (const label of ['bench-ec-1', 'bench-ec-2', 'bench-ec-3', 'bench-ec-4']) await service.generateKey(ref, 'ec-p256', label);
    const times = { 'per-attribute': [] as number[], batched: [] as number[] };
    let keyCount = 0;
    for (let i = 0; i < listRuns; i++) {
      for (const listing of ['per-attribute', 'batched'] as const) {
        await service.logout(ref);
        const started = performance.now();
        await service.login(ref, PIN);
        keyCount = (await service.keys(ref, { listing })).length;
        times[listing].push(performance.now() - started);
      }
    }
    const recipient = await service.recipientForKey(ref, rsa.keyId);
    const dek = randomBytes(32);
    const wrapped = wrapInSoftware(recipient, dek);
    const session = await service.session(ref);
    const tessera = await rate(durationMs, () => unwrapOnToken(session, wrapped, recipient));
    await service.close();

    const p = createRequire(import.meta.url)('pkcs11js') as typeof Pkcs11js;
    const lib = new p.PKCS11();
    lib.load(P11KIT_CLIENT_MODULE);
    lib.C_Initialize({ flags: p.CKF_OS_LOCKING_OK });
    let plain = 0;
    try {
      const slot = lib.C_GetSlotList(true)[0]!;
      const s = lib.C_OpenSession(slot, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION);
      lib.C_Login(s, p.CKU_USER, PIN);
      lib.C_FindObjectsInit(s, [
        { type: p.CKA_CLASS, value: p.CKO_PRIVATE_KEY },
        { type: p.CKA_ID, value: Buffer.from(rsa.keyId, 'hex') },
      ]);
      const [key] = lib.C_FindObjects(s, 1);
      lib.C_FindObjectsFinal(s);
      const sha256 = recipient.oaepHash === 'sha256';
      plain = await rate(durationMs, () => {
        lib.C_DecryptInit(
          s,
          {
            mechanism: p.CKM_RSA_PKCS_OAEP,
            parameter: {
              type: p.CK_PARAMS_RSA_OAEP,
              hashAlg: sha256 ? p.CKM_SHA256 : p.CKM_SHA_1,
              mgf: sha256 ? p.CKG_MGF1_SHA256 : p.CKG_MGF1_SHA1,
              source: 1,
            } as { type: number },
          },
          key!,
        );
        return lib.C_Decrypt(s, wrapped.data, Buffer.alloc(256));
      });
      lib.C_Logout(s);
      lib.C_CloseSession(s);
    } finally {
      lib.C_Finalize();
      lib.close();
    }
    const perAttributeMs = median(times['per-attribute']);
    const batchedMs = median(times.batched);
    return {
      rsaOaep2048Unwrap: { tessera: Math.round(tessera), plain: Math.round(plain), ratio: Number((tessera / plain).toFixed(3)) },
      unlockToKeyList: {
        keys: keyCount,
        perAttributeMs: Number(perAttributeMs.toFixed(1)),
        batchedMs: Number(batchedMs.toFixed(1)),
        speedup: Number((perAttributeMs / batchedMs).toFixed(2)),
      },
    };
  } finally {
    await remote.stop();
    hsm.cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await tokenOverhead(), null, 2));
  console.log(JSON.stringify(await remoteTokenOverhead(), null, 2));
}
