// The two IPC channel names between preload and main. Everything else is a contract channel
// carried inside them, so the preload exposes exactly invoke and subscribe.
export const INVOKE_CHANNEL = 'tessera:invoke';
export const EVENT_CHANNEL = 'tessera:event';
