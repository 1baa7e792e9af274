/** The application menu as data (Electron's MenuItemConstructorOptions shape), so tests can read it. */
export interface MenuItem {
  label?: string;
  role?: string;
  type?: 'separator';
  accelerator?: string;
  submenu?: MenuItem[];
  click?: () => void;
}

export interface MenuActions {
  navigate(path: string): void;
  copyDiagnostics(): void;
}

export function buildMenu(platform: NodeJS.Platform, actions: MenuActions): MenuItem[] {
  const mac = platform === 'darwin';
  return [
    ...(mac ? [{ role: 'appMenu' }] : []),
    {
      label: '&File',
      submenu: [
        { label: 'Settings…', accelerator: 'CmdOrCtrl+,', click: () => actions.navigate('/settings') },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: '&Go',
      submenu: [
        { label: 'Registries', accelerator: 'CmdOrCtrl+1', click: () => actions.navigate('/') },
        { label: 'Promotion lanes', accelerator: 'CmdOrCtrl+2', click: () => actions.navigate('/lanes') },
        { label: 'Compare', accelerator: 'CmdOrCtrl+3', click: () => actions.navigate('/compare') },
        { label: 'Local Docker', accelerator: 'CmdOrCtrl+4', click: () => actions.navigate('/docker') },
        { label: 'History', accelerator: 'CmdOrCtrl+5', click: () => actions.navigate('/history') },
      ],
    },
    {
      label: '&View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      label: '&Help',
      role: 'help',
      submenu: [{ label: 'Copy diagnostics', click: () => actions.copyDiagnostics() }],
    },
  ];
}
