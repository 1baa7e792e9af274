import { createInterface } from 'node:readline/promises';
import { BerthError } from '../../../shared/errors';
import type { CredentialState, DockerConfigCandidate, RegistryView } from '../../../shared/types/settings';
import { REGISTRY_KINDS, type RegistryKind } from '../../../shared/types/settings';
import { JSON_OPTION, UsageError, type CliCommand, type CliContext } from '../command';

function write(stream: CliContext['stdout'], text: string): void {
  stream.write(`${text}\n`);
}

/** The password as `docker login --password-stdin` reads it: all of stdin, one trailing newline dropped. */
async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function isTerminal(stream: NodeJS.ReadableStream): stream is NodeJS.ReadStream {
  return (stream as NodeJS.ReadStream).isTTY === true && typeof (stream as NodeJS.ReadStream).setRawMode === 'function';
}

async function promptLine(ctx: CliContext, question: string): Promise<string> {
  const rl = createInterface({ input: ctx.stdin, output: ctx.stderr, terminal: true });
  try {
    return (await rl.question(question, { signal: ctx.signal })).trim();
  } finally {
    rl.close();
  }
}

/** Reads a password from the terminal without echoing it. */
async function promptHidden(ctx: CliContext, stdin: NodeJS.ReadStream, question: string): Promise<string> {
  ctx.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (data: Buffer) => {
        for (const char of data.toString('utf8')) {
          if (char === '\r' || char === '\n') return done(() => resolve(typed));
          if (char === '\u0003') return done(() => reject(new UsageError('cancelled')));
          typed = char === '\u007f' || char === '\b' ? typed.slice(0, -1) : typed + char;
        }
      };
      const done = (finish: () => void) => {
        stdin.off('data', onData);
        ctx.stderr.write('\n');
        finish();
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}

function sourceText(credential: CredentialState): string {
  const who = credential.username ? ` (${credential.username})` : '';
  switch (credential.source) {
    case 'keychain':
      return `keychain${who}`;
    case 'session':
      return `session only${who}`;
    case 'docker-config':
      return `docker config${who}`;
    case 'credential-helper':
      return `${credential.origin ?? 'credential helper'}${who}`;
    case 'none':
      return 'none';
  }
}

export function registriesTable(registries: RegistryView[]): string {
  const header = ['ID', 'NAME', 'HOST', 'KIND', 'CREDENTIAL'];
  const rows = registries.map((registry) => [
    registry.id,
    registry.name,
    `${registry.host}${registry.insecure ? ' (insecure)' : ''}`,
    registry.kind,
    `${sourceText(registry.credential)}${registry.credential.problem ? ' [problem]' : ''}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const table = [header, ...rows].map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('   ')
      .trimEnd(),
  );
  const notes = registries.flatMap((registry) => [
    ...(registry.credential.problem ? [`${registry.host}: ${registry.credential.problem.message}`] : []),
    ...(registry.credential.notice ? [`${registry.host}: ${registry.credential.notice}`] : []),
  ]);
  return [...table, ...(notes.length ? ['', ...notes] : [])].join('\n');
}

function candidatesHint(candidates: DockerConfigCandidate[]): string {
  const hosts = candidates.filter((candidate) => !candidate.alreadyAdded).map((candidate) => candidate.host);
  return hosts.length === 0
    ? ''
    : `Your Docker config has logins for ${hosts.join(', ')}. Add them with: berth registries import ${hosts.join(' ')}`;
}

export const credentialsCommands: CliCommand[] = [
  {
    path: ['login'],
    usage: 'berth login REGISTRY [-u USER] [--password-stdin] [--insecure]',
    summary: 'Verify a credential with the registry, then keep it in the OS keychain',
    options: {
      username: { type: 'string', short: 'u', description: 'user name' },
      'password-stdin': { type: 'boolean', description: 'read the password or token from stdin' },
      insecure: {
        type: 'boolean',
        description: 'the registry speaks plain HTTP or has a certificate Berth cannot verify',
      },
    },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const registryId = ctx.args[0]!;
      const terminal = isTerminal(ctx.stdin) ? ctx.stdin : undefined;
      let username = ctx.flags.username as string | undefined;
      if (ctx.flags['password-stdin']) {
        if (!username) throw new UsageError('--password-stdin needs the user name: -u USER');
      } else if (!terminal) {
        throw new UsageError('give the password on stdin with --password-stdin (or run in a terminal to be asked)');
      }
      // Before asking for anything: a session-only store dies with this process, so the login would be lost.
      const backing = await ctx.services.credentials.backing();
      if (backing.kind === 'session')
        throw new BerthError(
          'keychain_unavailable',
          `${backing.reason} Without the OS keychain berth login cannot keep a credential; nothing was saved.`,
        );
      username ??= await promptLine(ctx, 'Username: ');
      if (!username) throw new UsageError('a user name is required');
      const secret = ctx.flags['password-stdin']
        ? await readStdin(ctx.stdin)
        : await promptHidden(ctx, terminal!, 'Password: ');
      if (!secret) throw new UsageError('the password is empty');
      const view = await ctx.call('credentials.set', {
        registryId,
        username,
        secret,
        verify: true,
        ...(ctx.flags.insecure ? { insecure: true } : {}),
      });
      if (view.credential.notice) write(ctx.stderr, `Warning: ${view.credential.notice}`);
      write(
        ctx.stdout,
        `Login succeeded: ${username} on ${view.host}${view.credential.source === 'keychain' ? ' (saved in the OS keychain)' : ''}`,
      );
    },
  },
  {
    path: ['logout'],
    usage: 'berth logout REGISTRY',
    summary: "Remove Berth's credential for a registry from the OS keychain (your Docker config is left alone)",
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const registryId = ctx.args[0]!;
      const before = (await ctx.call('registries.list', {})).find(
        (registry) => registry.id === registryId || registry.host === registryId,
      );
      const after = await ctx.call('credentials.remove', { registryId });
      const own = before?.credential.source === 'keychain' || before?.credential.source === 'session';
      write(
        ctx.stdout,
        own ? `Removed Berth's credential for ${after.host}` : `Berth had no credential of its own for ${after.host}`,
      );
      if (after.credential.source === 'docker-config' || after.credential.source === 'credential-helper') {
        write(
          ctx.stdout,
          `${after.host} still has a login in your Docker setup (${after.credential.origin ?? after.credential.source}); Berth never changes it: use docker logout ${after.host} to remove it.`,
        );
      }
    },
  },
  {
    path: ['registries'],
    usage: 'berth registries [--json]',
    summary: 'List registries and where each credential comes from (keychain, docker config, helper, none)',
    options: { json: JSON_OPTION },
    maxArgs: 0,
    async run(ctx) {
      const registries = await ctx.call('registries.list', {});
      if (ctx.flags.json) return write(ctx.stdout, JSON.stringify(registries, null, 2));
      if (registries.length > 0) return write(ctx.stdout, registriesTable(registries));
      const hint = candidatesHint(await ctx.call('registries.dockerCandidates', {}));
      write(
        ctx.stdout,
        ['No registries yet. Add one with: berth registries add HOST', hint].filter(Boolean).join('\n'),
      );
    },
  },
  {
    path: ['registries', 'add'],
    usage: 'berth registries add HOST [--name NAME] [--kind KIND] [--insecure] [--ca FILE] [--json]',
    summary: 'Add a registry (name and kind default from the host)',
    options: {
      name: { type: 'string', description: 'display name' },
      kind: { type: 'string', description: REGISTRY_KINDS.join(', ') },
      insecure: { type: 'boolean', description: 'plain HTTP or unverified TLS' },
      ca: { type: 'string', description: 'PEM file of the CA that signed the registry certificate' },
      json: JSON_OPTION,
    },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const kind = ctx.flags.kind as string | undefined;
      if (kind !== undefined && !(REGISTRY_KINDS as readonly string[]).includes(kind))
        throw new UsageError(`--kind must be one of ${REGISTRY_KINDS.join(', ')}`);
      const view = await ctx.call('registries.add', {
        host: ctx.args[0]!,
        ...(ctx.flags.name ? { name: ctx.flags.name as string } : {}),
        ...(kind ? { kind: kind as RegistryKind } : {}),
        ...(ctx.flags.insecure ? { insecure: true } : {}),
        ...(ctx.flags.ca ? { caPath: ctx.flags.ca as string } : {}),
      });
      write(ctx.stdout, ctx.flags.json ? JSON.stringify(view, null, 2) : `Added ${view.host} as ${view.id}`);
    },
  },
  {
    path: ['registries', 'remove'],
    usage: 'berth registries remove ID',
    summary: "Remove a registry from the list, with Berth's credential for it",
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const { removed } = await ctx.call('registries.remove', { id: ctx.args[0]! });
      write(ctx.stdout, removed ? `Removed ${ctx.args[0]}` : `No registry ${ctx.args[0]} in the list`);
      return removed ? 0 : 1;
    },
  },
  {
    path: ['registries', 'import'],
    usage: 'berth registries import [HOST...] [--json]',
    summary:
      'Add registries your Docker config has logins for (all of them without HOST); credentials stay where they are',
    options: { json: JSON_OPTION },
    async run(ctx) {
      const hosts =
        ctx.args.length > 0
          ? ctx.args
          : (await ctx.call('registries.dockerCandidates', {})).filter((c) => !c.alreadyAdded).map((c) => c.host);
      if (hosts.length === 0)
        return write(
          ctx.stdout,
          ctx.flags.json ? '[]' : 'Nothing to import: no Docker logins that are not in the list already',
        );
      const imported = await ctx.call('registries.importDocker', { hosts });
      write(ctx.stdout, ctx.flags.json ? JSON.stringify(imported, null, 2) : registriesTable(imported));
    },
  },
];
