// How each cell state looks: a colour, a glyph and words. Never colour alone: the glyph
// differs per state and the words are the cell's accessible name and tooltip.
import { CELL_STATE_LABEL, type CellState } from '../../../../shared/domain/cell-state.ts';

export interface CellLook {
  /** CSS class in MatrixGrid.module.css. */
  tone: 'ok' | 'warn' | 'bad' | 'muted' | 'info' | 'drift' | 'offer';
  /** A text glyph: cheap to draw 200,000 of, and distinct per state. */
  glyph: string;
  label: string;
}

export const CELL_LOOK: Record<CellState, CellLook> = {
  'in-sync': { tone: 'ok', glyph: '✓', label: CELL_STATE_LABEL['in-sync'] },
  missing: { tone: 'warn', glyph: '○', label: CELL_STATE_LABEL.missing },
  outdated: { tone: 'warn', glyph: '↻', label: CELL_STATE_LABEL.outdated },
  drifted: { tone: 'drift', glyph: '≠', label: CELL_STATE_LABEL.drifted },
  orphaned: { tone: 'drift', glyph: '⊘', label: CELL_STATE_LABEL.orphaned },
  'not-targeted': { tone: 'muted', glyph: '·', label: CELL_STATE_LABEL['not-targeted'] },
  'pending-approval': { tone: 'info', glyph: '◷', label: CELL_STATE_LABEL['pending-approval'] },
  'in-flight': { tone: 'info', glyph: '➜', label: CELL_STATE_LABEL['in-flight'] },
  unreachable: { tone: 'bad', glyph: '⚡', label: CELL_STATE_LABEL.unreachable },
  forbidden: { tone: 'bad', glyph: '⊗', label: CELL_STATE_LABEL.forbidden },
  error: { tone: 'bad', glyph: '✕', label: CELL_STATE_LABEL.error },
  claimed: { tone: 'drift', glyph: '?', label: CELL_STATE_LABEL.claimed },
  // Targeting picks the cluster but the app is not published there: one Provision away.
  unpublished: { tone: 'offer', glyph: '◌', label: CELL_STATE_LABEL.unpublished },
};
