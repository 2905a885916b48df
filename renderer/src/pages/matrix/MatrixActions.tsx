// What one can do from the matrix. Provision publishes the chosen tiles, plans and, after one
// confirmation that shows the plan, executes it where no policy asks for approval; Deprovision
// does the same the other way. "Plan rollout" makes a plan for the selection without
// publishing anything. Verify compares one tile's live values with the vault.
import { Button, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { IconCloudDownload, IconCloudOff, IconRocket, IconShieldCheck } from '@tabler/icons-react';
import { CELL_STATE_LABEL } from '../../../../shared/domain/cell-state.ts';
import { navigate } from '../../app/routes.ts';
import { currentActingAs } from '../rollouts/use-acting-as.ts';
import { TokenLoginPrompt } from '../../components/TokenUnlock/index.ts';
import { useAction } from '../../hooks/use-action.ts';
import type { MatrixSelection } from './MatrixPage.tsx';
import { useProvisionFlow } from './ProvisionFlow.tsx';

export interface MatrixActionsProps {
  selection: MatrixSelection;
  /** Called once an action has led somewhere (closes the drawer, clears the selection). */
  done: () => void;
  /** One tile (drawer) or a selection (toolbar). */
  single: boolean;
}

export function MatrixActions({ selection, done, single }: MatrixActionsProps) {
  const plan = useAction('rollout.plan');
  const verify = useAction('kube.verify', { notifyErrors: false });
  const flow = useProvisionFlow();
  const cells = selection.cells.map(([app, cluster]) => ({ app, cluster }));
  const as = currentActingAs();

  const planSelection = async () => {
    const made = await plan.run({ scope: { cells }, ...(as ? { as } : {}) });
    if (made) {
      done();
      navigate('rollouts', made.hash);
    }
  };

  const provisionButtons = (
    <>
      <Button
        size={single ? 'sm' : 'xs'}
        leftSection={<IconCloudDownload size={16} aria-hidden />}
        loading={flow.preparing}
        onClick={() => void flow.start('provision', cells)}
      >
        Provision
      </Button>
      <Button
        size={single ? 'sm' : 'xs'}
        color="red"
        variant="light"
        leftSection={<IconCloudOff size={16} aria-hidden />}
        loading={flow.preparing}
        onClick={() => void flow.start('deprovision', cells)}
      >
        Deprovision
      </Button>
      {flow.element}
    </>
  );

  if (!single) {
    return (
      <>
        {provisionButtons}
        <Button size="xs" variant="default" leftSection={<IconRocket size={14} aria-hidden />} loading={plan.running} onClick={() => void planSelection()}>
          Plan rollout
        </Button>
      </>
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
      {provisionButtons}
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
