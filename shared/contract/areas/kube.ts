// Channels about Kubernetes clusters.
import { z } from 'zod';
import { channel } from '../channel.ts';

export interface KubeContext {
  name: string;
  cluster: string;
  server: string | null;
  user: string;
  namespace: string | null;
  /** The kubeconfig file this context was read from. */
  source: string;
  current: boolean;
}

export interface KubeContextList {
  contexts: KubeContext[];
  /** Files that were looked at, in merge order. */
  files: string[];
  /** Files that could not be read, each with the reason. One broken file never hides the others. */
  problems: { file: string; message: string }[];
}

export const kubeChannels = {
  'kube.contexts': channel<KubeContextList>()(
    z.object({}).strict(),
    'Contexts from KUBECONFIG (merged like kubectl) or ~/.kube/config',
  ),
};
