// Define a secret (or change its delivery): the Kubernetes Secret name, env or in-memory volume
// with its mount path, an optional workload to wire it into, and create-namespace. Checked as
// you type with the shared rules.
import { Button, Checkbox, Group, Modal, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { SecretView } from '../../../../shared/contract/index.ts';
import { secretSpecViolations, WORKLOAD_KINDS, type Delivery, type SecretSpec, type WorkloadKind } from '../../../../shared/domain/secret-rules.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { useAction } from '../../hooks/use-action.ts';

export interface DefineSecretModalProps {
  /** The app's name. */
  app: string;
  /** The secret to change; a new one when absent. */
  existing?: SecretView;
  /** Called with the saved secret, or null when cancelled. */
  onClose: (saved: SecretView | null) => void;
}

export function DefineSecretModal({ app, existing, onClose }: DefineSecretModalProps) {
  const [name, setName] = useState(existing?.name ?? '');
  const [delivery, setDelivery] = useState<Delivery>(existing?.delivery ?? 'env');
  const [mountPath, setMountPath] = useState(existing?.mountPath ?? '/run/secrets/app');
  const [wire, setWire] = useState(existing?.workload != null);
  const [kind, setKind] = useState<WorkloadKind>(existing?.workload?.kind ?? 'Deployment');
  const [workloadName, setWorkloadName] = useState(existing?.workload?.name ?? '');
  const [container, setContainer] = useState(existing?.workload?.container ?? '');
  const [createNamespace, setCreateNamespace] = useState(existing?.createNamespace ?? false);
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const define = useAction('vault.defineSecret', { notifyErrors: false });

  const spec: SecretSpec = {
    name,
    delivery,
    mountPath: delivery === 'volume' ? mountPath : undefined,
    workload: wire ? { kind, name: workloadName, container: container === '' ? undefined : container } : undefined,
    createNamespace,
  };
  const violations = secretSpecViolations(spec);
  const errorOf = (field: string, label: string) => {
    const v = violations.find((x) => x.field === field);
    return v && (touched.has(field) || touched.has('*')) ? `${label} ${v.message}` : undefined;
  };
  const touch = (field: string) => setTouched((t) => new Set(t).add(field));

  const save = async () => {
    setTouched(new Set(['*']));
    if (violations.length > 0) return;
    const saved = await define.run({
      app,
      name,
      delivery,
      ...(delivery === 'volume' ? { mountPath } : {}),
      ...(wire ? { workload: { kind, name: workloadName, ...(container ? { container } : {}) } } : {}),
      createNamespace,
    });
    if (saved) onClose(saved);
  };

  return (
    <Modal opened onClose={() => onClose(null)} title={existing ? `Change secret "${existing.name}"` : 'Define a secret'} size="lg">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
      >
        <Stack>
          {define.error && <ErrorAlert error={define.error} title="Secret not saved" />}
          <TextInput
            label="Kubernetes Secret name"
            description="A DNS-1123 subdomain, e.g. db-credentials"
            value={name}
            disabled={existing !== undefined}
            onChange={(e) => {
              setName(e.currentTarget.value);
              touch('name');
            }}
            error={errorOf('name', 'Name')}
            data-autofocus
            autoComplete="off"
          />
          <Stack gap={4}>
            <Text size="sm" fw={500} id="delivery-label">
              Delivery
            </Text>
            <SegmentedControl
              aria-labelledby="delivery-label"
              w="fit-content"
              value={delivery}
              onChange={(v) => setDelivery(v as Delivery)}
              data={[
                { value: 'env', label: 'Environment variables' },
                { value: 'volume', label: 'In-memory volume (tmpfs)' },
              ]}
            />
          </Stack>
          {delivery === 'volume' && (
            <TextInput
              label="Mount path"
              description="Each key becomes a file in this directory"
              value={mountPath}
              onChange={(e) => {
                setMountPath(e.currentTarget.value);
                touch('mountPath');
              }}
              error={errorOf('mountPath', 'Mount path')}
            />
          )}
          <Checkbox
            label="Wire it into a workload"
            description="Tessera adds the env entries or the volume to the workload's pod template"
            checked={wire}
            onChange={(e) => setWire(e.currentTarget.checked)}
          />
          {wire && (
            <Group grow align="flex-start">
              <Select label="Workload kind" data={[...WORKLOAD_KINDS]} value={kind} onChange={(v) => v && setKind(v as WorkloadKind)} allowDeselect={false} />
              <TextInput
                label="Workload name"
                value={workloadName}
                onChange={(e) => {
                  setWorkloadName(e.currentTarget.value);
                  touch('workload.name');
                }}
                error={errorOf('workload.name', 'Workload name')}
              />
              <TextInput
                label="Container (optional)"
                description="Every container when empty"
                value={container}
                onChange={(e) => {
                  setContainer(e.currentTarget.value);
                  touch('workload.container');
                }}
                error={errorOf('workload.container', 'Container')}
              />
            </Group>
          )}
          <Checkbox label="Create the namespace if it is missing" checked={createNamespace} onChange={(e) => setCreateNamespace(e.currentTarget.checked)} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => onClose(null)}>
              Cancel
            </Button>
            <Button type="submit" loading={define.running}>
              {existing ? 'Save secret' : 'Define secret'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
