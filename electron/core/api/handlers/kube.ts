// kube.* channels.
import { listKubeContexts } from '../../kube/kubeconfig-files.ts';
import type { Services } from '../../services.ts';
import type { Handlers } from '../dispatcher.ts';

export function kubeconfigSources(s: Services) {
  return {
    kubeconfigEnv: s.config.kubeconfig ?? s.env.KUBECONFIG,
    extraFiles: s.settings.get().kubeconfigFiles,
  };
}

export function kubeHandlers(s: Services): Pick<Handlers, 'kube.contexts'> {
  return {
    'kube.contexts': async () => listKubeContexts(kubeconfigSources(s)),
  };
}
