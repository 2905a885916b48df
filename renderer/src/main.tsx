import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import '@mantine/spotlight/styles.css';
import './app/global.css';
import { Alert, Center, MantineProvider, localStorageColorSchemeManager } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Shell } from './app/Shell.tsx';
import { cssVariablesResolver, theme } from './app/theme.ts';
import { TransportContext } from './hooks/transport-context.ts';
import { chooseTransport } from './transport/choose-transport.ts';

const choice = chooseTransport(window);
const colorSchemeManager = localStorageColorSchemeManager({ key: 'tessera-color-scheme' });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver} defaultColorScheme="auto" colorSchemeManager={colorSchemeManager}>
      <Notifications position="bottom-right" />
      {'transport' in choice ? (
        <TransportContext.Provider value={choice.transport}>
          <Shell />
        </TransportContext.Provider>
      ) : (
        <Center h="100vh" p="xl">
          <Alert color="red" title="Tessera cannot reach its backend" maw={520}>
            {choice.problem}
          </Alert>
        </Center>
      )}
    </MantineProvider>
  </StrictMode>,
);
