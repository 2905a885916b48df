// The contract between the UI and the backend: channels, envelope, error codes, events.
export * from './errors.ts';
export * from './envelope.ts';
export * from './channel.ts';
export * from './channels.ts';
export * from './events.ts';
export * from './areas/app.ts';
export * from './areas/kube.ts';
export * from './areas/hsm.ts';
export * from './areas/vault.ts';
export * from './areas/rollout.ts';
