export { MatrixGrid, cellKey, type MatrixAxisItem, type MatrixGridHandle, type MatrixGridProps, type SelectionChange } from './MatrixGrid.tsx';
export { Legend } from './Legend.tsx';
export { CELL_LOOK } from './cell-style.ts';
