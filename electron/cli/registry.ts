// Every CLI command, in the order `tessera --help` lists them. Areas add theirs here.
import type { Command } from './command.ts';
import { contextsCommand, infoCommand, modulesCommand } from './commands/basics.ts';
import { serveCommand } from './commands/serve.ts';
import { keyCreateCommand, keyListCommand, keyTypesCommand } from './commands/key.ts';
import { tokenListCommand } from './commands/token.ts';
import { clustersCommand } from './commands/clusters.ts';
import { clusterLabelCommand } from './commands/cluster.ts';
import { scanCommand } from './commands/scan.ts';
import { provisionCommand } from './commands/provision.ts';
import { deprovisionCommand } from './commands/deprovision.ts';
import { reconcileCommand } from './commands/reconcile.ts';

import { recipientAddCommand, recipientListCommand, recipientRetireCommand } from './commands/recipient.ts';
import { appCreateCommand, appListCommand, appShowCommand } from './commands/app.ts';
import { secretRevealCommand, secretSetCommand, secretVersionsCommand } from './commands/secret.ts';
import { rewrapCommand } from './commands/vault.ts';
import { auditExportCommand, auditVerifyCommand } from './commands/audit.ts';
import { configExportCommand, configImportCommand } from './commands/config.ts';
import { planCommand } from './commands/plan.ts';
import { approveCommand } from './commands/approve.ts';
import { applyCommand } from './commands/apply.ts';
import { rolloutsCommand } from './commands/rollouts.ts';
import { principalAddCommand, principalBootstrapCommand, principalListCommand, principalRolesCommand } from './commands/principal.ts';
import { policyListCommand, policySetCommand } from './commands/policy.ts';
import { trustAdoptCommand, trustOwnersCommand, trustStatusCommand } from './commands/trust.ts';

export const commands: Command[] = [
  serveCommand,
  infoCommand,
  contextsCommand,
  modulesCommand,
  tokenListCommand,
  keyListCommand,
  keyTypesCommand,
  keyCreateCommand,
  clustersCommand,
  clusterLabelCommand,
  scanCommand,
  provisionCommand,
  deprovisionCommand,
  reconcileCommand,
];

commands.push(
  recipientAddCommand,
  recipientListCommand,
  recipientRetireCommand,
  appCreateCommand,
  appListCommand,
  appShowCommand,
  secretSetCommand,
  secretVersionsCommand,
  secretRevealCommand,
  rewrapCommand,
  auditVerifyCommand,
  auditExportCommand,
  configExportCommand,
  configImportCommand,
);

commands.push(
  planCommand,
  approveCommand,
  applyCommand,
  rolloutsCommand,
  principalBootstrapCommand,
  principalAddCommand,
  principalRolesCommand,
  principalListCommand,
  policySetCommand,
  policyListCommand,
  trustStatusCommand,
  trustAdoptCommand,
  trustOwnersCommand,
);
