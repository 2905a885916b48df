// Colours and words for plan actions and step states.
import type { PlanActionKind, StepState } from '../../../../shared/contract/index.ts';

export const ACTION_COLOR: Record<PlanActionKind, string> = {
  create: 'green',
  update: 'blue',
  rewire: 'violet',
  delete: 'red',
  adopt: 'orange',
  nothing: 'gray',
};

export const STEP_COLOR: Record<StepState, string> = {
  pending: 'gray',
  'in-flight': 'blue',
  done: 'green',
  failed: 'red',
  skipped: 'gray',
};
