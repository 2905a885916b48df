// The states every loaded list or view goes through — loading, failed, empty, loaded — in one
// place, so a page says only what it shows and what its empty state tells the user.
import { Loader } from '@mantine/core';
import type { ReactNode } from 'react';
import type { ContractError } from '../../../../shared/contract/index.ts';
import { ErrorAlert } from '../ErrorAlert.tsx';

/** The part of useQuery's result that QueryState reads. */
export interface QueryLike<T> {
  data: T | undefined;
  error: ContractError | undefined;
  loading: boolean;
}

export interface QueryStateProps<T> {
  /** The query whose state to show (useQuery's result). */
  query: QueryLike<T>;
  /** The loader's accessible name, e.g. "Loading apps". */
  loadingLabel: string;
  /** The error alert's title; ErrorAlert's default when absent. */
  errorTitle?: string | undefined;
  /** Loader size; Mantine's default when absent. */
  loaderSize?: 'xs' | 'sm' | 'md' | 'lg' | 'xl' | undefined;
  /** Shown in place of children when the data is empty (an empty array unless isEmpty says otherwise). */
  empty?: ReactNode;
  /** Whether loaded data counts as empty; default: an array with no element. */
  isEmpty?: ((data: T) => boolean) | undefined;
  /** What the loaded data looks like. */
  children: (data: T) => ReactNode;
}

const emptyArray = (data: unknown) => Array.isArray(data) && data.length === 0;

/** An error (above what was loaded before, if anything), a loader until the first answer, the empty state, or the children with the data. */
export function QueryState<T>({ query, loadingLabel, errorTitle, loaderSize, empty, isEmpty = emptyArray, children }: QueryStateProps<T>) {
  const { data, error, loading } = query;
  return (
    <>
      {error && (errorTitle === undefined ? <ErrorAlert error={error} /> : <ErrorAlert error={error} title={errorTitle} />)}
      {loading && data === undefined && <Loader size={loaderSize} aria-label={loadingLabel} />}
      {data !== undefined && (isEmpty(data) ? (empty ?? null) : children(data))}
    </>
  );
}
