// The transport chosen at start-up, available to every component.
import { createContext, useContext } from 'react';
import type { Transport } from '../transport/transport.ts';

export const TransportContext = createContext<Transport | null>(null);

export function useTransport(): Transport {
  const transport = useContext(TransportContext);
  if (!transport) throw new Error('useTransport outside TransportContext');
  return transport;
}
