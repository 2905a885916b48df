// tessera principal bootstrap | add | roles | list: the signed chain of who may approve.
import { ROLES, TesseraError, type Role, type TrustPrincipalView } from '../../../shared/contract/index.ts';
import type { Command, CommandContext } from '../command.ts';
import { call, printJson, table } from '../output.ts';
import { optional, readText, required } from './vault-shared.ts';
import { SIGNING_OPTIONS, actingPrincipal, unlockSigner } from './rollout-shared.ts';

function roles(ctx: CommandContext): Role[] {
  const text = required(ctx, 'roles');
  const list = text
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  for (const r of list)
    if (!(ROLES as readonly string[]).includes(r)) throw new TesseraError('INVALID_INPUT', `"${r}" is not a role (${ROLES.join(', ')}).`, { field: 'roles' });
  return list as Role[];
}

function show(ctx: CommandContext, p: TrustPrincipalView): number {
  if (ctx.json) printJson(ctx, p);
  else ctx.out(`${p.name}: ${p.roles.join(', ')}; key ${p.keyFingerprint.slice(0, 16)}…; record ${p.recordSeq} signed by ${p.signedBy}`);
  return 0;
}

async function signer(ctx: CommandContext): Promise<string> {
  const key = await unlockSigner(ctx);
  const who = optional(ctx, 'signer') ?? (await actingPrincipal(ctx, key));
  if (!who)
    throw new TesseraError('INVALID_INPUT', 'Name the security officer who signs: --signer <principal> (their token unlocked with --token).', {
      field: 'signer',
    });
  return who;
}

export const principalBootstrapCommand: Command = {
  name: 'principal bootstrap',
  summary: "Make the vault's first security officer (self-signed genesis record, pinned in the data dir)",
  usage: 'tessera principal bootstrap --name <name> --token <label> --key <label> [--pin-env VAR]',
  options: { ...SIGNING_OPTIONS, name: { type: 'string' } },
  async run(ctx) {
    const key = await unlockSigner(ctx);
    if (!key) throw new TesseraError('INVALID_INPUT', 'Name the signing key with --token <label> --key <label>.', { field: 'key' });
    return show(ctx, await call(ctx, 'rollout.bootstrap', { name: required(ctx, 'name'), tokenSerial: key.tokenSerial, keyId: key.keyId }));
  },
};

export const principalAddCommand: Command = {
  name: 'principal add',
  summary: "Register a principal with roles and a signing key (PEM file); a security officer's token signs",
  usage: 'tessera principal add --name <name> --roles release-manager[,operator] --public-key <pem-file> --signer <so> --token <label> [--pin-env VAR]',
  options: { ...SIGNING_OPTIONS, name: { type: 'string' }, roles: { type: 'string' }, 'public-key': { type: 'string' }, signer: { type: 'string' } },
  async run(ctx) {
    const name = required(ctx, 'name');
    const r = roles(ctx);
    const pem = readText(required(ctx, 'public-key'), 'public key');
    return show(ctx, await call(ctx, 'rollout.addPrincipal', { name, roles: r, publicKeyPem: pem, signer: await signer(ctx) }));
  },
};

export const principalRolesCommand: Command = {
  name: 'principal roles',
  summary: "Set a principal's roles; a security officer's token signs",
  usage: 'tessera principal roles --name <name> --roles a,b --signer <so> --token <label> [--pin-env VAR]',
  options: { ...SIGNING_OPTIONS, name: { type: 'string' }, roles: { type: 'string' }, signer: { type: 'string' } },
  async run(ctx) {
    return show(ctx, await call(ctx, 'rollout.grantRoles', { name: required(ctx, 'name'), roles: roles(ctx), signer: await signer(ctx) }));
  },
};

export const principalListCommand: Command = {
  name: 'principal list',
  summary: 'Principals as the signed chain defines them (and whether the chain checks out)',
  usage: 'tessera principal list [--json]',
  async run(ctx) {
    const principals = await call(ctx, 'rollout.principals', {});
    const trust = await call(ctx, 'rollout.trust', {});
    if (ctx.json) printJson(ctx, { trust, principals });
    else {
      const rows = [['NAME', 'ROLES', 'KEY', 'SIGNED BY', 'RECORD', 'CONSISTENT']];
      for (const p of principals)
        rows.push([p.name, p.roles.join(','), `${p.keyFingerprint.slice(0, 16)}…`, p.signedBy, String(p.recordSeq), p.consistent ? 'yes' : 'NO']);
      ctx.out(table(rows));
      ctx.out(
        trust.ok
          ? `Chain intact: ${trust.records} signed record(s) back to ${trust.anchor?.principal ?? '(none)'}.`
          : `Chain BROKEN: ${trust.problems.join('; ')}`,
      );
    }
    return 0;
  },
};
