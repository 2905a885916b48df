// One table shape for every list in the app: a header row from the columns, one row per item,
// an accessible name, and a horizontal scroll when the table is wider than its card.
import { Table, type TableProps, type TableTrProps } from '@mantine/core';
import type { CSSProperties, ReactNode } from 'react';

export interface DataColumn<T> {
  /** The header cell. */
  header: ReactNode;
  /** The body cell for one row. */
  cell: (row: T, index: number) => ReactNode;
  /** Header cell width, when the column should not share space evenly. */
  width?: number | string | undefined;
  /** Style of the body cells (e.g. word breaking for long subjects). */
  cellStyle?: CSSProperties | undefined;
}

export interface DataTableProps<T> {
  /** The table's accessible name. */
  label: string;
  columns: readonly DataColumn<T>[];
  rows: readonly T[];
  /** A stable, unique key for a row. */
  rowKey: (row: T, index: number) => string;
  /** Extra props for a row (selection colour, test ids, click handlers). */
  rowProps?: ((row: T, index: number) => TableTrProps) | undefined;
  /** Shown below the header row's table when there are no rows; nothing when absent. */
  empty?: ReactNode;
  /** Scroll sideways below this width (px); no scroll container when absent. */
  minWidth?: number | undefined;
  /** data-testid of the table, for end-to-end tests. */
  testId?: string | undefined;
  /** Mantine Table props (striped, highlightOnHover, verticalSpacing, …). */
  tableProps?: Omit<TableProps, 'children' | 'aria-label'> | undefined;
}

/** A table of rows under a header row; the page says only which columns and rows. */
export function DataTable<T>({ label, columns, rows, rowKey, rowProps, empty, minWidth, testId, tableProps }: DataTableProps<T>) {
  const table = (
    <Table aria-label={label} data-testid={testId} {...tableProps}>
      <Table.Thead>
        <Table.Tr>
          {columns.map((c, i) => (
            <Table.Th key={i} w={c.width}>
              {c.header}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row, r) => (
          <Table.Tr key={rowKey(row, r)} {...rowProps?.(row, r)}>
            {columns.map((c, i) => (
              <Table.Td key={i} style={c.cellStyle}>
                {c.cell(row, r)}
              </Table.Td>
            ))}
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
  return (
    <>
      {minWidth === undefined ? table : <Table.ScrollContainer minWidth={minWidth}>{table}</Table.ScrollContainer>}
      {rows.length === 0 && empty}
    </>
  );
}
