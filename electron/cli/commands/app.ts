// tessera app create | list | show.
import type { Command } from '../command.ts';
import { call, printJson, table } from '../output.ts';
import { list, optional, required } from './vault-shared.ts';

export const appCreateCommand: Command = {
  name: 'app create',
  summary: 'Create an app (its Kubernetes namespace, owners and cluster targeting)',
  usage: 'tessera app create --name <app> --namespace <ns> [--description T] [--owner O]… [--selector "env=prod"] [--include C]… [--exclude C]… [--json]',
  options: {
    name: { type: 'string' },
    namespace: { type: 'string' },
    description: { type: 'string' },
    owner: { type: 'string', multiple: true },
    selector: { type: 'string' },
    include: { type: 'string', multiple: true },
    exclude: { type: 'string', multiple: true },
  },
  async run(ctx) {
    const app = await call(ctx, 'vault.createApp', {
      name: required(ctx, 'name'),
      namespace: required(ctx, 'namespace'),
      description: optional(ctx, 'description') ?? '',
      owners: list(ctx, 'owner'),
      targeting: { selector: optional(ctx, 'selector') ?? '', include: list(ctx, 'include'), exclude: list(ctx, 'exclude') },
    });
    if (ctx.json) printJson(ctx, app);
    else ctx.out(`Created app "${app.name}" (namespace ${app.namespace}, id ${app.id}).`);
    return 0;
  },
};

export const appListCommand: Command = {
  name: 'app list',
  summary: 'List apps',
  usage: 'tessera app list [--json]',
  async run(ctx) {
    const apps = await call(ctx, 'vault.apps', {});
    if (ctx.json) printJson(ctx, apps);
    else
      ctx.out(
        apps.length
          ? table([
              ['NAME', 'NAMESPACE', 'SECRETS', 'SELECTOR', 'UPDATED'],
              ...apps.map((a) => [a.name, a.namespace, String(a.secretCount), a.targeting.selector || '-', a.updatedAt]),
            ])
          : 'No apps yet. Create one with "tessera app create".',
      );
    return 0;
  },
};

export const appShowCommand: Command = {
  name: 'app show',
  summary: 'Show an app with its secrets',
  usage: 'tessera app show --name <app> [--json]',
  options: { name: { type: 'string' } },
  async run(ctx) {
    const app = await call(ctx, 'vault.app', { app: optional(ctx, 'name') ?? ctx.positionals[0] ?? required(ctx, 'name') });
    if (ctx.json) printJson(ctx, app);
    else {
      ctx.out(
        `${app.name}  namespace ${app.namespace}  id ${app.id}\nselector: ${app.targeting.selector || '-'}  include: ${app.targeting.include.join(',') || '-'}  exclude: ${app.targeting.exclude.join(',') || '-'}\n`,
      );
      ctx.out(
        app.secrets.length
          ? table([
              ['SECRET', 'DELIVERY', 'KEYS', 'VERSION', 'WRITTEN BY', 'AT'],
              ...app.secrets.map((s) => [
                s.name,
                s.delivery === 'volume' ? `volume ${s.mountPath}` : 'env',
                s.keyNames.join(','),
                s.latestVersion ? String(s.latestVersion.number) : '-',
                s.latestVersion?.createdBy ?? '-',
                s.latestVersion?.createdAt ?? '-',
              ]),
            ])
          : 'No secrets yet. Add one with "tessera secret set".',
      );
    }
    return 0;
  },
};
