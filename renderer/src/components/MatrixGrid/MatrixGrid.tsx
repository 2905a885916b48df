// The matrix: apps down, clusters across, one tile per (app, cluster). Virtualised in both
// directions so 200 × 1,000 stays smooth: only the tiles in view (plus a margin) exist in the
// DOM. Follows the ARIA grid pattern with a roving tab stop, so keyboards, screen readers and
// tests can read and drive it. Column names are shortened in the middle, with the full name in
// a tooltip on hover and on focus, and a status line says what the focused tile is.
import {
  memo,
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type FocusEvent,
  type KeyboardEvent,
  type MouseEvent,
  type Ref,
} from 'react';
import type { CellState } from '../../../../shared/domain/cell-state.ts';
import { CELL_LOOK } from './cell-style.ts';
import classes from './MatrixGrid.module.css';
import { middleEllipsis } from './middle-ellipsis.ts';

export interface MatrixAxisItem {
  id: string;
  label: string;
  /** The group this item is shown under (namespace or owner for apps, a label value for clusters). */
  group: string | null;
}

export type SelectionChange = { kind: 'replace' | 'toggle' | 'add'; keys: string[] };

export interface MatrixGridProps {
  /** Apps, in display order (already grouped). */
  rows: MatrixAxisItem[];
  /** Clusters, in display order (already grouped). */
  columns: MatrixAxisItem[];
  /** The state of one tile; called only for tiles in view. */
  stateAt: (row: number, col: number) => CellState;
  /** Selected tiles, as cellKey(appId, clusterId). */
  selected: ReadonlySet<string>;
  onSelect: (change: SelectionChange) => void;
  /** Enter or double-click on a tile. */
  onOpen: (row: number, col: number) => void;
  /** What the column groups are, e.g. "env"; shown in the corner. */
  columnGroupLabel?: string;
  /** Changes whenever stateAt's answers change, so visible tiles redraw. */
  version?: number;
  /** One line on a tile (app, cluster, state, since when) for the status line under the grid. */
  describeCell?: (row: number, col: number) => string;
  /** A note on a column that is not current (e.g. "stale: read 10:02, before the last scan"), or null. */
  columnNote?: (columnId: string) => string | null;
  /** Lets the page put the focus back on the active tile (after a drawer closes). */
  ref?: Ref<MatrixGridHandle>;
}

export interface MatrixGridHandle {
  /** Moves the keyboard focus to the active tile, scrolling it into view. */
  focusActive(): void;
}

/** Characters of a column name that fit the rotated header; longer names lose their middle. */
export const COLUMN_LABEL_CHARS = 15;

export const ROW_HEIGHT = 34;
export const COLUMN_WIDTH = 36;
export const ROW_HEADER_WIDTH = 220;
export const HEADER_HEIGHT = 124;
const GROUP_HEADER_HEIGHT = 22;
const OVERSCAN = 6;

export function cellKey(rowId: string, columnId: string): string {
  return `${rowId}\u0000${columnId}`;
}

interface Viewport {
  top: number;
  left: number;
  width: number;
  height: number;
}

interface Range {
  rowStart: number;
  rowEnd: number;
  colStart: number;
  colEnd: number;
}

function visibleRange(v: Viewport, rows: number, cols: number): Range {
  const rowStart = Math.max(0, Math.floor(v.top / ROW_HEIGHT) - OVERSCAN);
  const rowEnd = Math.min(rows, Math.ceil((v.top + v.height) / ROW_HEIGHT) + OVERSCAN);
  const colStart = Math.max(0, Math.floor(v.left / COLUMN_WIDTH) - OVERSCAN);
  const colEnd = Math.min(cols, Math.ceil((v.left + v.width) / COLUMN_WIDTH) + OVERSCAN);
  return { rowStart, rowEnd, colStart, colEnd };
}

/** Columns are drawn in blocks so horizontal scrolling mounts new blocks and leaves the rest untouched. */
const BLOCK = 8;

interface BlockProps {
  row: number;
  item: MatrixAxisItem;
  block: number;
  columns: MatrixAxisItem[];
  stateAt: MatrixGridProps['stateAt'];
  selected: ReadonlySet<string>;
  /** The active column if it falls in this block, else -1. */
  activeCol: number;
  version: number;
}

const CellBlock = memo(function CellBlock({ row, item, block, columns, stateAt, selected, activeCol }: BlockProps) {
  const cells = [];
  const end = Math.min(columns.length, (block + 1) * BLOCK);
  for (let c = block * BLOCK; c < end; c++) {
    const column = columns[c]!;
    const state = stateAt(row, c);
    const look = CELL_LOOK[state];
    const active = activeCol === c;
    cells.push(
      <div
        key={c}
        role="gridcell"
        aria-colindex={c + 2}
        aria-selected={selected.has(cellKey(item.id, column.id))}
        aria-label={`${item.label} on ${column.label}: ${look.label}`}
        tabIndex={active ? 0 : -1}
        data-r={row}
        data-c={c}
        data-state={state}
        className={`${classes.cell} ${classes[look.tone]}`}
        style={{ left: ROW_HEADER_WIDTH + c * COLUMN_WIDTH + 2 }}
      >
        {look.glyph}
      </div>,
    );
  }
  return <>{cells}</>;
});

interface RowProps {
  row: number;
  item: MatrixAxisItem;
  showGroup: boolean;
  columns: MatrixAxisItem[];
  blockStart: number;
  blockEnd: number;
  width: number;
  stateAt: MatrixGridProps['stateAt'];
  selected: ReadonlySet<string>;
  activeCol: number;
  version: number;
}

const MatrixRow = memo(function MatrixRow({ row, item, showGroup, columns, blockStart, blockEnd, width, stateAt, selected, activeCol, version }: RowProps) {
  const blocks = [];
  for (let b = blockStart; b < blockEnd; b++) {
    const inBlock = activeCol >= b * BLOCK && activeCol < (b + 1) * BLOCK ? activeCol : -1;
    blocks.push(
      <CellBlock key={b} row={row} item={item} block={b} columns={columns} stateAt={stateAt} selected={selected} activeCol={inBlock} version={version} />,
    );
  }
  return (
    <div role="row" aria-rowindex={row + 2} className={classes.row} style={{ top: HEADER_HEIGHT + row * ROW_HEIGHT, width, height: ROW_HEIGHT }}>
      <div
        role="rowheader"
        aria-colindex={1}
        className={classes.rowHeader}
        style={{ width: ROW_HEADER_WIDTH, height: ROW_HEIGHT }}
        data-row-header={row}
        title={`Select every cluster of ${item.label}`}
      >
        <span className={classes.name}>{item.label}</span>
        {showGroup && item.group !== null && <span className={classes.group}>{item.group}</span>}
      </div>
      {blocks}
    </div>
  );
});

export function MatrixGrid({
  rows,
  columns,
  stateAt,
  selected,
  onSelect,
  onOpen,
  columnGroupLabel,
  version = 0,
  describeCell,
  columnNote,
  ref,
}: MatrixGridProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState<Viewport>({ top: 0, left: 0, width: 1200, height: 800 });
  const [active, setActive] = useState<{ row: number; col: number }>({ row: 0, col: 0 });
  const anchor = useRef<{ row: number; col: number } | null>(null);
  const focusPending = useRef(false);
  const frame = useRef(0);
  /** The column whose full name the tooltip shows: the hovered header's, else the focused tile's. */
  const [hoverCol, setHoverCol] = useState<number | null>(null);
  const [focusCol, setFocusCol] = useState<number | null>(null);
  const [touched, setTouched] = useState(false);

  const totalWidth = ROW_HEADER_WIDTH + columns.length * COLUMN_WIDTH;
  const totalHeight = HEADER_HEIGHT + rows.length * ROW_HEIGHT;

  const measure = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    setViewport((prev) => {
      const next = { top: el.scrollTop, left: el.scrollLeft, width: el.clientWidth - ROW_HEADER_WIDTH, height: el.clientHeight - HEADER_HEIGHT };
      return prev.top === next.top && prev.left === next.left && prev.width === next.width && prev.height === next.height ? prev : next;
    });
  }, []);

  useLayoutEffect(() => {
    measure();
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [measure]);

  const onScroll = () => {
    cancelAnimationFrame(frame.current);
    frame.current = requestAnimationFrame(measure);
  };

  const range = useMemo(() => visibleRange(viewport, rows.length, columns.length), [viewport, rows.length, columns.length]);
  // Only re-render rows when the window of tiles changes, not on every scrolled pixel.
  const blockStart = Math.floor(range.colStart / BLOCK);
  const blockEnd = Math.ceil(range.colEnd / BLOCK);
  const rangeKey = `${range.rowStart}:${range.rowEnd}:${blockStart}:${blockEnd}`;
  const stableRange = useMemo(() => ({ ...range, colStart: blockStart * BLOCK, colEnd: Math.min(columns.length, blockEnd * BLOCK) }), [rangeKey]); // eslint-disable-line react-hooks/exhaustive-deps

  // Keep the active tile inside the data after filtering.
  const activeRow = Math.min(active.row, Math.max(0, rows.length - 1));
  const activeCol = Math.min(active.col, Math.max(0, columns.length - 1));

  const scrollIntoView = (row: number, col: number) => {
    const el = scroller.current;
    if (!el) return;
    const top = row * ROW_HEIGHT;
    const left = col * COLUMN_WIDTH;
    const viewH = el.clientHeight - HEADER_HEIGHT;
    const viewW = el.clientWidth - ROW_HEADER_WIDTH;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + viewH) el.scrollTop = top + ROW_HEIGHT - viewH;
    if (left < el.scrollLeft) el.scrollLeft = left;
    else if (left + COLUMN_WIDTH > el.scrollLeft + viewW) el.scrollLeft = left + COLUMN_WIDTH - viewW;
    measure();
  };

  useEffect(() => {
    if (!focusPending.current) return;
    const cell = scroller.current?.querySelector<HTMLElement>(`[data-r="${activeRow}"][data-c="${activeCol}"]`);
    if (cell) {
      cell.focus({ preventScroll: true });
      focusPending.current = false;
    }
  });

  const moveTo = (row: number, col: number) => {
    const r = Math.max(0, Math.min(rows.length - 1, row));
    const c = Math.max(0, Math.min(columns.length - 1, col));
    setActive({ row: r, col: c });
    focusPending.current = true;
    scrollIntoView(r, c);
    return { row: r, col: c };
  };

  useImperativeHandle(ref, () => ({
    focusActive() {
      focusPending.current = true;
      scrollIntoView(activeRow, activeCol);
      setActive((a) => ({ ...a }));
    },
  }));

  const rectangle = (from: { row: number; col: number }, to: { row: number; col: number }) => {
    const keys: string[] = [];
    for (let r = Math.min(from.row, to.row); r <= Math.max(from.row, to.row); r++)
      for (let c = Math.min(from.col, to.col); c <= Math.max(from.col, to.col); c++) keys.push(cellKey(rows[r]!.id, columns[c]!.id));
    return keys;
  };

  const selectRow = (row: number, additive: boolean) =>
    onSelect({ kind: additive ? 'add' : 'replace', keys: columns.map((c) => cellKey(rows[row]!.id, c.id)) });
  const selectColumn = (col: number, additive: boolean) =>
    onSelect({ kind: additive ? 'add' : 'replace', keys: rows.map((r) => cellKey(r.id, columns[col]!.id)) });
  const selectColumnGroup = (group: string | null, additive: boolean) =>
    onSelect({
      kind: additive ? 'add' : 'replace',
      keys: columns.filter((c) => c.group === group).flatMap((c) => rows.map((r) => cellKey(r.id, c.id))),
    });

  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    const target = event.target as HTMLElement;
    const additive = event.ctrlKey || event.metaKey;
    const cell = target.closest<HTMLElement>('[data-r][data-c]');
    if (cell) {
      const here = { row: Number(cell.dataset.r), col: Number(cell.dataset.c) };
      if (event.shiftKey && anchor.current) onSelect({ kind: 'replace', keys: rectangle(anchor.current, here) });
      else {
        onSelect({ kind: additive ? 'toggle' : 'replace', keys: [cellKey(rows[here.row]!.id, columns[here.col]!.id)] });
        anchor.current = here;
      }
      setActive(here);
      setTouched(true);
      return;
    }
    const rowHeader = target.closest<HTMLElement>('[data-row-header]');
    if (rowHeader) return selectRow(Number(rowHeader.dataset.rowHeader), additive);
    const columnHeader = target.closest<HTMLElement>('[data-column-header]');
    if (columnHeader) return selectColumn(Number(columnHeader.dataset.columnHeader), additive);
    const groupHeader = target.closest<HTMLElement>('[data-column-group]');
    if (groupHeader) return selectColumnGroup(groupHeader.dataset.columnGroup === '\u0000' ? null : groupHeader.dataset.columnGroup!, additive);
  };

  const onDoubleClick = (event: MouseEvent<HTMLDivElement>) => {
    const cell = (event.target as HTMLElement).closest<HTMLElement>('[data-r][data-c]');
    if (cell) onOpen(Number(cell.dataset.r), Number(cell.dataset.c));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (rows.length === 0 || columns.length === 0) return;
    const pageRows = Math.max(1, Math.floor(viewport.height / ROW_HEIGHT) - 1);
    const handled = () => {
      event.preventDefault();
      event.stopPropagation();
    };
    // Shift + arrow extends the selection from the anchor (the tile where it started) to
    // the tile the focus moves to, as in a spreadsheet.
    const step = (dr: number, dc: number) => {
      handled();
      if (!event.shiftKey) {
        moveTo(activeRow + dr, activeCol + dc);
        return;
      }
      const from = anchor.current ?? { row: activeRow, col: activeCol };
      anchor.current = from;
      const to = moveTo(activeRow + dr, activeCol + dc);
      onSelect({ kind: 'replace', keys: rectangle(from, to) });
    };
    switch (event.key) {
      case 'ArrowUp':
        return step(-1, 0);
      case 'ArrowDown':
        return step(1, 0);
      case 'ArrowLeft':
        return step(0, -1);
      case 'ArrowRight':
        return step(0, 1);
      case 'Escape':
        if (selected.size === 0) return;
        handled();
        anchor.current = null;
        onSelect({ kind: 'replace', keys: [] });
        return;
      case 'Home':
        handled();
        return moveTo(event.ctrlKey ? 0 : activeRow, 0);
      case 'End':
        handled();
        return moveTo(event.ctrlKey ? rows.length - 1 : activeRow, columns.length - 1);
      case 'PageUp':
        handled();
        return moveTo(activeRow - pageRows, activeCol);
      case 'PageDown':
        handled();
        return moveTo(activeRow + pageRows, activeCol);
      case ' ':
        handled();
        if (event.shiftKey && anchor.current) onSelect({ kind: 'replace', keys: rectangle(anchor.current, { row: activeRow, col: activeCol }) });
        else {
          onSelect({ kind: 'toggle', keys: [cellKey(rows[activeRow]!.id, columns[activeCol]!.id)] });
          anchor.current = { row: activeRow, col: activeCol };
        }
        return;
      case 'Enter':
        handled();
        return onOpen(activeRow, activeCol);
    }
  };

  // Column groups as contiguous segments, only those in view.
  const groupSegments = useMemo(() => {
    const segments: { group: string | null; start: number; end: number }[] = [];
    columns.forEach((c, i) => {
      const last = segments[segments.length - 1];
      if (last && last.group === c.group) last.end = i + 1;
      else segments.push({ group: c.group, start: i, end: i + 1 });
    });
    return segments;
  }, [columns]);

  const rowsInView = [];
  for (let r = stableRange.rowStart; r < stableRange.rowEnd; r++) {
    const item = rows[r]!;
    rowsInView.push(
      <MatrixRow
        key={item.id}
        row={r}
        item={item}
        showGroup={r === 0 || rows[r - 1]!.group !== item.group}
        columns={columns}
        blockStart={blockStart}
        blockEnd={blockEnd}
        width={totalWidth}
        stateAt={stateAt}
        selected={selected}
        activeCol={r === activeRow ? activeCol : -1}
        version={version}
      />,
    );
  }

  const tipCol = hoverCol ?? focusCol;
  const tipColumn = tipCol === null ? undefined : columns[tipCol];

  const onFocus = (event: FocusEvent<HTMLDivElement>) => {
    const cell = (event.target as HTMLElement).closest<HTMLElement>('[data-r][data-c]');
    setFocusCol(cell ? Number(cell.dataset.c) : null);
    if (cell) setTouched(true);
  };
  const onBlur = (event: FocusEvent<HTMLDivElement>) => {
    if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setFocusCol(null);
  };

  const activeRendered =
    activeRow >= stableRange.rowStart && activeRow < stableRange.rowEnd && activeCol >= stableRange.colStart && activeCol < stableRange.colEnd;

  return (
    <div className={classes.frame}>
      <div
        ref={scroller}
        role="grid"
        aria-label="Apps by clusters"
        aria-rowcount={rows.length + 1}
        aria-colcount={columns.length + 1}
        aria-multiselectable
        className={classes.scroller}
        tabIndex={activeRendered && rows.length > 0 ? -1 : 0}
        onScroll={onScroll}
        onKeyDown={onKeyDown}
        onClick={onClick}
        onDoubleClick={onDoubleClick}
        onFocus={onFocus}
        onBlur={onBlur}
        data-testid="matrix-grid"
      >
        <div className={classes.sizer} style={{ width: totalWidth, height: totalHeight }}>
          <div role="row" aria-rowindex={1} className={classes.headerRow} style={{ width: totalWidth, height: HEADER_HEIGHT }}>
            <div role="columnheader" aria-colindex={1} className={classes.corner} style={{ width: ROW_HEADER_WIDTH, height: HEADER_HEIGHT }}>
              Apps \ clusters{columnGroupLabel ? ` by ${columnGroupLabel}` : ''}
            </div>
            {groupSegments
              .filter((s) => s.end > stableRange.colStart && s.start < stableRange.colEnd)
              .map((s) => (
                <div
                  key={`${s.group ?? ''}-${s.start}`}
                  aria-hidden
                  className={classes.groupHeader}
                  data-column-group={s.group ?? '\u0000'}
                  title={`Select every app on ${s.group ?? 'unlabelled'} clusters`}
                  style={{ left: ROW_HEADER_WIDTH + s.start * COLUMN_WIDTH, width: (s.end - s.start) * COLUMN_WIDTH, cursor: 'pointer' }}
                >
                  <span className={classes.groupLabel} style={{ maxWidth: (s.end - s.start) * COLUMN_WIDTH - 10 }}>
                    {s.group ?? '(none)'}
                  </span>
                </div>
              ))}
            {columns.slice(stableRange.colStart, stableRange.colEnd).map((c, i) => {
              const col = stableRange.colStart + i;
              const note = columnNote?.(c.id) ?? null;
              return (
                <div
                  key={c.id}
                  role="columnheader"
                  aria-colindex={col + 2}
                  className={classes.columnHeader}
                  data-column-header={col}
                  aria-label={c.label}
                  data-stale={note !== null || undefined}
                  aria-describedby={tipCol === col ? 'matrix-column-tip' : undefined}
                  style={{ left: ROW_HEADER_WIDTH + col * COLUMN_WIDTH, width: COLUMN_WIDTH, height: HEADER_HEIGHT - GROUP_HEADER_HEIGHT }}
                  onMouseEnter={() => setHoverCol(col)}
                  onMouseLeave={() => setHoverCol((h) => (h === col ? null : h))}
                >
                  <span aria-hidden data-short-label>
                    {middleEllipsis(c.label, COLUMN_LABEL_CHARS)}
                  </span>
                  {note !== null && (
                    <span className={classes.staleMark} aria-hidden>
                      ◷
                    </span>
                  )}
                </div>
              );
            })}
          </div>
          {rowsInView}
        </div>
      </div>
      {tipColumn && tipCol !== null && (
        <div
          role="tooltip"
          id="matrix-column-tip"
          className={classes.columnTip}
          style={{
            left: ROW_HEADER_WIDTH + tipCol * COLUMN_WIDTH - viewport.left + (tipCol > columns.length / 2 ? COLUMN_WIDTH : 0),
            top: HEADER_HEIGHT - 6,
            transform: tipCol > columns.length / 2 ? 'translateX(-100%)' : undefined,
          }}
          data-testid="matrix-column-tip"
        >
          {tipColumn.label}
          {tipColumn.group ? <span className={classes.tipGroup}> · {tipColumn.group}</span> : null}
          {columnNote?.(tipColumn.id) ? <span className={classes.tipGroup}> · {columnNote(tipColumn.id)}</span> : null}
        </div>
      )}
      <div className={classes.statusLine} role="status" data-testid="matrix-status-line">
        {touched && describeCell && rows.length > 0 && columns.length > 0
          ? describeCell(activeRow, activeCol)
          : 'Move to a tile with the arrow keys or the mouse to read its app, cluster, state and since when.'}
      </div>
    </div>
  );
}
