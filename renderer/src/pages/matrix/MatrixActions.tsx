// What one can do from the matrix: plan a rollout for the selected tiles, or for one tile
// provision it, unpublish it (which plans its deprovisioning) or verify its live values
// against the vault. Every write goes through a plan shown before anything happens.
import { Button, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCloudDownload, IconCloudOff, IconRocket, IconShieldCheck } from '@tabler/icons-react';
import { CELL_STATE_LABEL } from '../../../../shared/domain/cell-state.ts';
import { navigate } from '../../app/routes.ts';
import { currentActingAs } from '../rollouts/use-acting-as.ts';
import { TokenLoginPrompt } from '../../components/TokenUnlock/index.ts';
import { useAction } from '../../hooks/use-action.ts';
import type { MatrixSelection } from './MatrixPage.tsx';

export interface MatrixActionsProps {
  selection: MatrixSelection;
  /** Called once an action has led somewhere (closes the drawer, clears the selection). */
  done: () => void;
  /** One tile (drawer) or a selection (toolbar). */
  single: boolean;
}

export function MatrixActions({ selection, done, single }: MatrixActionsProps) {
  const plan = useAction('rollout.plan');
  const publish = useAction('rollout.publish');
  const verify = useAction('kube.verify', { notifyErrors: false });
  const cells = selection.cells.map(([app, cluster]) => ({ app, cluster }));
  const as = currentActingAs();

  const planSelection = async () => {
    const made = await plan.run({ scope: { cells }, ...(as ? { as } : {}) });
    if (made) {
      done();
      navigate('rollouts', made.hash);
    }
  };

  if (!single) {
    return (
      <Button size="xs" leftSection={<IconRocket size={14} aria-hidden />} loading={plan.running} onClick={() => void planSelection()}>
        Plan rollout
      </Button>
    );
  }
  const [app, cluster] = selection.cells[0]!;
  const runVerify = async () => {
    const [result] = (await verify.run({ cells: [{ app, cluster }] })) ?? [];
    if (result)
      notifications.show({
        color: result.state === 'in-sync' ? 'green' : 'orange',
        title: `Verify: ${CELL_STATE_LABEL[result.state]}`,
        message: result.reason,
      });
  };
  return (
    <>
      <Button leftSection={<IconCloudDownload size={16} aria-hidden />} loading={plan.running} onClick={() => void planSelection()}>
        Provision
      </Button>
      <Button
        color="red"
        variant="light"
        leftSection={<IconCloudOff size={16} aria-hidden />}
        loading={publish.running}
        onClick={async () => {
          const made = await publish.run({ app, cluster, state: 'unpublished', ...(as ? { as } : {}) });
          if (made) {
            done();
            navigate('rollouts', made.hash);
          }
        }}
      >
        Deprovision
      </Button>
      <Button variant="default" leftSection={<IconShieldCheck size={16} aria-hidden />} loading={verify.running} onClick={() => void runVerify()}>
        Verify
      </Button>
      {verify.error?.code === 'TOKEN_LOCKED' && (
        <TokenLoginPrompt reason="Verify compares the live values with the vault's, so a token must open the version." onUnlocked={() => void runVerify()} />
      )}
      {verify.error && verify.error.code !== 'TOKEN_LOCKED' && (
        <Text size="sm" c="red" role="alert">
          {verify.error.message}
        </Text>
      )}
    </>
  );
}
