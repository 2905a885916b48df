// info, contexts, modules: read-only commands of the foundation.
import type { Command } from '../command.ts';
import { call, printJson, table } from '../output.ts';

export const infoCommand: Command = {
  name: 'info',
  summary: 'Show the version, data dir and platform',
  async run(ctx) {
    const info = await call(ctx, 'app.info', {});
    if (ctx.json) printJson(ctx, info);
    else
      ctx.out(
        table([
          ['Tessera', info.version],
          ['data dir', info.dataDir],
          ['platform', `${info.platform}/${info.arch}`],
          ['node', info.nodeVersion],
        ]),
      );
    return 0;
  },
};

export const contextsCommand: Command = {
  name: 'contexts',
  summary: 'List kubeconfig contexts (KUBECONFIG merged like kubectl, or ~/.kube/config)',
  async run(ctx) {
    const list = await call(ctx, 'kube.contexts', {});
    if (ctx.json) {
      printJson(ctx, list);
    } else {
      if (list.contexts.length === 0) ctx.out(`No kubeconfig contexts found in ${list.files.join(', ')}.`);
      else
        ctx.out(
          table([
            ['CURRENT', 'NAME', 'CLUSTER', 'SERVER', 'USER', 'NAMESPACE'],
            ...list.contexts.map((c) => [c.current ? '*' : '', c.name, c.cluster, c.server ?? '-', c.user, c.namespace ?? '-']),
          ]),
        );
      for (const p of list.problems) ctx.err(`warning: ${p.message}`);
    }
    return list.problems.length > 0 && list.contexts.length === 0 ? 1 : 0;
  },
};

export const modulesCommand: Command = {
  name: 'modules',
  summary: 'List PKCS#11 module files found at configured and well-known paths',
  async run(ctx) {
    const modules = await call(ctx, 'hsm.modules', {});
    if (ctx.json) printJson(ctx, modules);
    else if (modules.length === 0) ctx.out("No PKCS#11 modules found. Install SoftHSM2, OpenSC or your HSM vendor's module, or add a path in Settings.");
    else ctx.out(table([['KIND', 'PATH', 'STATUS'], ...modules.map((m) => [m.kind, m.path, m.problem ?? 'found'])]));
    return modules.some((m) => m.problem !== null) ? 1 : 0;
  },
};
