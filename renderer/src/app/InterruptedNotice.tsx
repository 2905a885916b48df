// At start-up, and whenever the backend reports one, a notice of rollouts a crash interrupted,
// with a way to the Rollouts page where they can be resumed.
import { Alert, Anchor } from '@mantine/core';
import { useEvent } from '../hooks/use-event.ts';
import { useQuery } from '../hooks/use-query.ts';
import { navigate } from './routes.ts';

export function InterruptedNotice({ hidden }: { hidden: boolean }) {
  const interrupted = useQuery('rollout.interrupted', {});
  useEvent('rollout.interrupted', () => void interrupted.refresh());
  useEvent('rollout.state', () => void interrupted.refresh());
  const count = interrupted.data?.length ?? 0;
  if (hidden || count === 0) return null;
  return (
    <Alert color="orange" mb="md" title={`${count} interrupted rollout${count === 1 ? '' : 's'}`} data-testid="interrupted-notice">
      A rollout stopped before it finished (the app or the workstation stopped). Nothing was half-written:{' '}
      <Anchor component="button" onClick={() => navigate('rollouts')}>
        resume it on the Rollouts page
      </Anchor>
      .
    </Alert>
  );
}
