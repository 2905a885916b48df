// QueryState and DataTable, rendered to HTML: each state shows what it should and nothing else.
import { MantineProvider } from '@mantine/core';
import type { ReactNode } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DataTable } from '../DataTable/index.ts';
import { QueryState } from './QueryState.tsx';

const html = (node: ReactNode) => renderToStaticMarkup(<MantineProvider>{node}</MantineProvider>);
const rows = [
  { name: 'web', n: 1 },
  { name: 'api', n: 2 },
];
const table = (data: typeof rows) => (
  <DataTable
    label="Apps"
    columns={[
      { header: 'Name', cell: (r) => r.name },
      { header: 'Count', cell: (r) => r.n },
    ]}
    rows={data}
    rowKey={(r) => r.name}
    empty={<p>nothing matches</p>}
  />
);

describe('QueryState', () => {
  it('shows only a loader, named, before the first answer', () => {
    const out = html(
      <QueryState query={{ data: undefined, error: undefined, loading: true }} loadingLabel="Loading apps" empty={<p>no apps</p>}>
        {table}
      </QueryState>,
    );
    expect(out).toContain('aria-label="Loading apps"');
    expect(out).not.toContain('no apps');
    expect(out).not.toContain('<table');
  });

  it('shows the backend sentence under the given title when the call failed', () => {
    const out = html(
      <QueryState
        query={{ data: undefined, error: { code: 'FORBIDDEN', message: 'Not yours.' }, loading: false }}
        loadingLabel="Loading apps"
        errorTitle="Apps could not be listed"
      >
        {table}
      </QueryState>,
    );
    expect(out).toContain('role="alert"');
    expect(out).toContain('Apps could not be listed');
    expect(out).toContain('Not yours.');
    expect(out).not.toContain('Loading apps');
  });

  it('shows the empty state for an empty list, and the table otherwise', () => {
    const empty = html(
      <QueryState query={{ data: [], error: undefined, loading: false }} loadingLabel="Loading apps" empty={<p>no apps</p>}>
        {table}
      </QueryState>,
    );
    expect(empty).toContain('no apps');
    expect(empty).not.toContain('<table');
    const full = html(
      <QueryState query={{ data: rows, error: undefined, loading: false }} loadingLabel="Loading apps" empty={<p>no apps</p>}>
        {table}
      </QueryState>,
    );
    expect(full).not.toContain('no apps');
    expect(full).toContain('aria-label="Apps"');
    expect(full.match(/<th[ >]/g)).toHaveLength(2);
    expect(full.match(/<tr[ >]/g)).toHaveLength(3);
    expect(full).toContain('>api<');
  });
});

describe('DataTable', () => {
  it('keeps its header and says so when no row is left', () => {
    const out = html(table([]));
    expect(out).toContain('>Name<');
    expect(out).toContain('nothing matches');
  });
});
