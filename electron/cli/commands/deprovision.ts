// tessera deprovision: remove an app's wiring and Secrets from clusters.
import type { Command } from '../command.ts';
import { call } from '../output.ts';
import { TARGET_OPTIONS, printOutcomes, unlockForWrite } from './provision.ts';
import { TesseraError } from '../../../shared/contract/index.ts';

export const deprovisionCommand: Command = {
  name: 'deprovision',
  summary: 'Unpublish the app from clusters and remove its Secrets through a plan (honours approval policies)',
  usage: 'tessera deprovision --app <app> (--cluster <context>… | --selector env=prod) [--token <label> --pin-env VAR] [--json]',
  options: TARGET_OPTIONS,
  async run(ctx) {
    await unlockForWrite(ctx);
    const app = ctx.values.app;
    if (typeof app !== 'string' || app === '') throw new TesseraError('INVALID_INPUT', '--app is required.', { field: 'app' });
    const clusters = (ctx.values.cluster as string[] | undefined) ?? [];
    const selector = ctx.values.selector as string | undefined;
    const outcomes = await call(ctx, 'kube.deprovision', {
      app,
      ...(clusters.length > 0 ? { clusters } : {}),
      ...(selector !== undefined ? { selector } : {}),
    });
    return printOutcomes(ctx, outcomes);
  },
};
