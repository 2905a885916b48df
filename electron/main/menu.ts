// The native menu as data: the usual roles (edit, view, window), Help with the documentation
// that ships with the app and an About box with the versions. main.ts builds it with Electron.
import type { MenuItemConstructorOptions } from 'electron';

/** Documentation files shipped with the app (electron-builder.yml unpacks them), in Help order. */
export const HELP_DOCS = [
  { label: 'Tessera Documentation', file: 'README.md' },
  { label: 'Tokens and Keys', file: 'docs/tokens.md' },
  { label: 'Rollouts and Approvals', file: 'docs/rollouts.md' },
  { label: 'Threat Model', file: 'docs/threat-model.md' },
] as const;

export interface MenuActions {
  about(): void;
  openDoc(file: string): void;
  openRollouts(): void;
}

export interface MenuOptions {
  platform: NodeJS.Platform;
  /** Developer tools and reload only in a development build. */
  development: boolean;
}

export function menuTemplate(actions: MenuActions, options: MenuOptions): MenuItemConstructorOptions[] {
  const mac = options.platform === 'darwin';
  const about: MenuItemConstructorOptions = { label: 'About Tessera', click: () => actions.about() };
  const view: MenuItemConstructorOptions[] = [
    ...(options.development
      ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[])
      : []),
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  return [
    ...(mac
      ? [
          {
            label: 'Tessera',
            submenu: [
              about,
              { type: 'separator' },
              { role: 'services' },
              { type: 'separator' },
              { role: 'hide' },
              { role: 'hideOthers' },
              { role: 'unhide' },
              { type: 'separator' },
              { role: 'quit' },
            ],
          } satisfies MenuItemConstructorOptions,
        ]
      : [{ label: '&File', submenu: [{ role: 'quit' }] } satisfies MenuItemConstructorOptions]),
    { role: 'editMenu' },
    { label: '&View', submenu: view },
    { label: '&Go', submenu: [{ label: 'Plans Waiting for Approval', accelerator: 'CmdOrCtrl+Shift+A', click: () => actions.openRollouts() }] },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        ...HELP_DOCS.map((doc): MenuItemConstructorOptions => ({ label: doc.label, click: () => actions.openDoc(doc.file) })),
        ...(mac ? [] : ([{ type: 'separator' }, about] as MenuItemConstructorOptions[])),
      ],
    },
  ];
}

export interface Versions {
  app: string;
  electron: string;
  chrome: string;
  node: string;
  v8: string;
  platform: string;
  arch: string;
}

/** The About box's text. */
export function aboutDetail(v: Versions): string {
  return [
    `Version ${v.app}`,
    '',
    `Electron ${v.electron}`,
    `Chromium ${v.chrome}`,
    `Node.js ${v.node}`,
    `V8 ${v.v8}`,
    `${v.platform} ${v.arch}`,
    '',
    'Kubernetes application secrets under keys on hardware tokens.',
  ].join('\n');
}
