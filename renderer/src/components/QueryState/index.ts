export { QueryState, type QueryLike, type QueryStateProps } from './QueryState.tsx';
