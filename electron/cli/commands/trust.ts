// tessera trust status | adopt | owners: the signed chain as the vault uses it. adopt lets a
// security officer review an existing vault's unsigned recipients and versions and sign them once;
// owners names who may write and reveal an app's secrets (app-owner).
import { TesseraError, type AdoptReview } from '../../../shared/contract/index.ts';
import type { Command, CommandContext } from '../command.ts';
import { call, printJson, table } from '../output.ts';
import { SIGNING_OPTIONS, actingPrincipal, unlockSigner } from './rollout-shared.ts';
import { optional, required } from './vault-shared.ts';

async function officer(ctx: CommandContext): Promise<string> {
  const key = await unlockSigner(ctx);
  const who = optional(ctx, 'signer') ?? (await actingPrincipal(ctx, key));
  if (!who)
    throw new TesseraError('INVALID_INPUT', 'Name the security officer who signs: --signer <principal> (their token unlocked with --token).', {
      field: 'signer',
    });
  return who;
}

function printReview(ctx: CommandContext, review: AdoptReview, signed: boolean): void {
  if (review.recipients.length > 0) {
    ctx.out(
      table([
        ['RECIPIENT', 'LABEL', 'KIND', 'STATUS', 'CHECK'],
        ...review.recipients.map((r) => [r.fingerprint.slice(0, 16), r.label, r.kind, r.status, r.problem ?? 'ok']),
      ]),
    );
  }
  if (review.versions.length > 0) {
    ctx.out(
      table([
        ['APP', 'SECRET', 'VERSION', 'WRITTEN BY', 'CONTENT DIGEST'],
        ...review.versions.map((v) => [v.app, v.secret, String(v.number), v.createdBy, v.contentDigest.slice(0, 16)]),
      ]),
    );
  }
  if (review.recipients.length === 0 && review.versions.length === 0)
    ctx.out(signed ? 'Adopted: every recipient and version of this vault is signed.' : 'Nothing unsigned to adopt.');
  else if (!signed)
    ctx.out(
      `${review.recipients.length} recipient(s) and ${review.versions.length} version(s) are unsigned. Review them, then sign: tessera trust adopt --yes --signer <security officer> --token <label>.`,
    );
}

export const trustStatusCommand: Command = {
  name: 'trust status',
  summary: 'Whether the vault is signed, adopted, or the unsigned demo, and whether the chain checks out',
  usage: 'tessera trust status [--json]',
  async run(ctx) {
    const status = await call(ctx, 'rollout.trust', {});
    if (ctx.json) printJson(ctx, status);
    else {
      const mode =
        status.mode === 'unsigned-demo'
          ? 'UNSIGNED DEMO — nothing is signed and nothing is secured'
          : status.mode === 'legacy'
            ? 'unsigned: no security officer yet (tessera principal bootstrap)'
            : status.adopted
              ? 'signed and adopted'
              : 'signed, not adopted yet (tessera trust adopt)';
      ctx.out(`${mode}; ${status.records} signed record(s); ${status.ok ? 'the chain checks out' : `PROBLEMS: ${status.problems.join('; ')}`}`);
    }
    return status.ok ? 0 : 1;
  },
};

export const trustAdoptCommand: Command = {
  name: 'trust adopt',
  summary: "Review an existing vault's unsigned recipients and versions; with --yes a security-officer's token signs them once",
  usage: 'tessera trust adopt [--yes --signer <security officer> --token <label> [--key <label>] [--pin-env VAR]] [--json]',
  options: { ...SIGNING_OPTIONS, signer: { type: 'string' }, yes: { type: 'boolean' } },
  async run(ctx) {
    if (ctx.values.yes !== true) {
      const review = await call(ctx, 'rollout.adoptReview', {});
      if (ctx.json) printJson(ctx, review);
      else printReview(ctx, review, false);
      return 0;
    }
    const signer = await officer(ctx);
    const before = await call(ctx, 'rollout.adoptReview', {});
    const after = await call(ctx, 'rollout.adopt', { signer });
    if (ctx.json) printJson(ctx, { adopted: before, remaining: after });
    else {
      ctx.out(`${signer} signed ${before.recipients.length} recipient(s) and ${before.versions.length} version(s) into the chain.`);
      printReview(ctx, after, true);
    }
    return 0;
  },
};

export const trustOwnersCommand: Command = {
  name: 'trust owners',
  summary: "Name an app's owners (app-owner: may write and reveal its secrets); role: security-officer, whose token signs the record",
  usage:
    'tessera trust owners --app <app> --owners <principal>[,<principal>…] --signer <security officer> --token <label> [--pin-env VAR] [--json]\n       tessera trust owners [--json]   (list)',
  options: { ...SIGNING_OPTIONS, app: { type: 'string' }, owners: { type: 'string' }, signer: { type: 'string' } },
  async run(ctx) {
    const app = optional(ctx, 'app');
    if (app === undefined) {
      const list = await call(ctx, 'rollout.owners', {});
      if (ctx.json) printJson(ctx, list);
      else
        ctx.out(
          list.length
            ? table([['APP', 'OWNERS', 'SIGNED BY', 'RECORD'], ...list.map((o) => [o.app, o.owners.join(', '), o.signedBy, String(o.recordSeq)])])
            : 'No app has signed owners yet.',
        );
      return 0;
    }
    const owners = required(ctx, 'owners')
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== '');
    const result = await call(ctx, 'rollout.setOwners', { app, owners, signer: await officer(ctx) });
    if (ctx.json) printJson(ctx, result);
    else ctx.out(`${result.app}: owners ${result.owners.join(', ') || '(none)'}; record ${result.recordSeq} signed by ${result.signedBy}`);
    return 0;
  },
};
