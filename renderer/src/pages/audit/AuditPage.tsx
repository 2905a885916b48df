// Audit: the hash-chained log — filter it, verify the chain (pass, or which entry breaks it and
// why) and export it as JSON Lines. Entries never hold secret values.
import { Badge, Button, Code, Group, Pagination, SegmentedControl, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconListCheck, IconRefresh, IconSearch, IconShieldCheck } from '@tabler/icons-react';
import { useState } from 'react';
import type { AuditEntryView, AuditVerification } from '../../../../shared/contract/index.ts';
import { EmptyState } from '../../components/EmptyState.tsx';
import { DataTable, type DataColumn } from '../../components/DataTable/index.ts';
import { QueryState } from '../../components/QueryState/index.ts';
import { PageHeader } from '../../components/PageHeader.tsx';
import { useAction } from '../../hooks/use-action.ts';
import { useQuery } from '../../hooks/use-query.ts';
import { detailsText, filterEntries, NO_FILTER, type AuditFilter } from './audit-filter.ts';
import { ExportButtons } from './ExportButtons.tsx';
import { VerifyResult } from './VerifyResult.tsx';

const PAGE_SIZE = 100;
const OUTCOME_COLOR: Record<AuditEntryView['outcome'], string> = { ok: 'green', refused: 'yellow', failed: 'red' };

const COLUMNS: DataColumn<AuditEntryView>[] = [
  { header: '#', cell: (e) => e.seq },
  { header: 'Time', cell: (e) => <time dateTime={e.time}>{new Date(e.time).toLocaleString()}</time> },
  { header: 'Actor', cell: (e) => e.actor },
  { header: 'Action', cell: (e) => <Code>{e.action}</Code> },
  { header: 'Subject', cell: (e) => e.subject, cellStyle: { wordBreak: 'break-all' } },
  {
    header: 'Outcome',
    cell: (e) => (
      <Badge color={OUTCOME_COLOR[e.outcome]} variant="light">
        {e.outcome}
      </Badge>
    ),
  },
  {
    header: 'Details',
    cell: (e) => (
      <Text size="xs" c="dimmed" lineClamp={2} title={detailsText(e.details)} style={{ wordBreak: 'break-all' }}>
        {detailsText(e.details)}
      </Text>
    ),
  },
];

export function AuditPage() {
  const log = useQuery('audit.list', { limit: 10_000 });
  const verify = useAction('audit.verify');
  const [filter, setFilter] = useState<AuditFilter>(NO_FILTER);
  const [page, setPage] = useState(1);
  const entries = log.data ?? [];
  const actions = [...new Set(entries.map((e) => e.action))].sort();
  const actors = [...new Set(entries.map((e) => e.actor))].sort();
  const shown = filterEntries(entries, filter).reverse();
  const pages = Math.max(1, Math.ceil(shown.length / PAGE_SIZE));
  const current = Math.min(page, pages);
  const set = (patch: Partial<AuditFilter>) => {
    setFilter({ ...filter, ...patch });
    setPage(1);
  };
  const [result, setResult] = useState<AuditVerification | undefined>(undefined);
  const brokenSeq = result && !result.ok ? (result.firstBroken?.seq ?? null) : null;

  return (
    <Stack>
      <PageHeader
        title="Audit"
        description="Who did what, when — a hash-chained log that detects any edit. It never holds a secret value."
        actions={
          <Group gap="xs">
            <Button
              leftSection={<IconShieldCheck size={16} aria-hidden />}
              loading={verify.running}
              onClick={async () => {
                setResult(await verify.run({}));
              }}
            >
              Verify chain
            </Button>
            <ExportButtons />
            <Button variant="default" leftSection={<IconRefresh size={16} aria-hidden />} onClick={() => void log.refresh()} loading={log.loading}>
              Reload
            </Button>
          </Group>
        }
      />
      {result && <VerifyResult result={result} />}
      <QueryState
        query={log}
        loadingLabel="Loading the audit log"
        errorTitle="The audit log could not be read"
        empty={
          <EmptyState icon={<IconListCheck />} title="No audit entries yet">
            Every app, secret, version, reveal, recipient and cluster change is recorded here as it happens — never with a value. Create an app to see the first
            entries.
          </EmptyState>
        }
      >
        {() => (
          <>
            <Group align="flex-end" gap="sm">
              <Select
                label="Action"
                placeholder="Any action"
                data={actions}
                value={filter.action}
                onChange={(action) => set({ action })}
                clearable
                searchable
                w={200}
              />
              <Select label="Actor" placeholder="Anyone" data={actors} value={filter.actor} onChange={(actor) => set({ actor })} clearable searchable w={180} />
              <Stack gap={4}>
                <Text size="sm" fw={500} id="outcome-label">
                  Outcome
                </Text>
                <SegmentedControl
                  aria-labelledby="outcome-label"
                  value={filter.outcome}
                  onChange={(v) => set({ outcome: v as AuditFilter['outcome'] })}
                  data={[
                    { value: 'all', label: 'All' },
                    { value: 'ok', label: 'OK' },
                    { value: 'refused', label: 'Refused' },
                    { value: 'failed', label: 'Failed' },
                  ]}
                />
              </Stack>
              <TextInput
                label="Text"
                placeholder="Subject, details…"
                leftSection={<IconSearch size={16} aria-hidden />}
                value={filter.text}
                onChange={(e) => set({ text: e.currentTarget.value })}
                w={240}
              />
              {JSON.stringify(filter) !== JSON.stringify(NO_FILTER) && (
                <Button variant="subtle" onClick={() => set(NO_FILTER)}>
                  Clear filters
                </Button>
              )}
            </Group>
            <Text size="sm" c="dimmed" aria-live="polite">
              Showing {shown.length} of {entries.length} entries, newest first.
            </Text>
            <DataTable
              label="Audit entries"
              columns={COLUMNS}
              rows={shown.slice((current - 1) * PAGE_SIZE, current * PAGE_SIZE)}
              rowKey={(e) => String(e.seq)}
              rowProps={(e) => ({ bg: e.seq === brokenSeq ? 'var(--mantine-color-red-light)' : undefined, 'aria-invalid': e.seq === brokenSeq || undefined })}
              minWidth={900}
              tableProps={{ striped: true, verticalSpacing: 4 }}
            />
            {pages > 1 && <Pagination total={pages} value={current} onChange={setPage} aria-label="Audit pages" />}
          </>
        )}
      </QueryState>
    </Stack>
  );
}
