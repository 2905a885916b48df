// The entry of dist/electron/core.cjs, the bundled core that the built hosts (Electron main, the
// built `tessera` command) load as a file of its own. It carries the contract too, so a host and
// the core share one copy of it (one TesseraError class, one channel list).
export * from './index.ts';
export * as contract from '../../shared/contract/index.ts';
