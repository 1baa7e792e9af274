import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { TrustOverride } from '../../../shared/trust-policy';
import type { ImageTrust } from '../../../shared/types/trust';
import { BerthError } from '../../../shared/errors';
import { JSON_OPTION, UsageError, type CliCommand, type CliContext } from '../command';
import { table } from '../progress';

function list(value: string | boolean | string[] | undefined): string[] {
  if (Array.isArray(value)) return value;
  return typeof value === 'string' ? [value] : [];
}

async function readNamed(path: string, what: string): Promise<{ name: string; text: string }> {
  try {
    return { name: basename(path), text: await readFile(path, 'utf8') };
  } catch (error) {
    throw new BerthError(
      'invalid_input',
      `Cannot read the ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}.`,
    );
  }
}

/** The flags as a policy override; undefined when none was given (the settings' policy applies). */
async function overrideFrom(ctx: CliContext): Promise<TrustOverride | undefined> {
  const identity = ctx.flags.identity;
  const issuer = ctx.flags.issuer;
  if ((typeof identity === 'string') !== (typeof issuer === 'string'))
    throw new UsageError('--identity and --issuer go together (the certificate subject regex and its OIDC issuer).');
  const keys = await Promise.all(list(ctx.flags.key).map((path) => readNamed(path, 'key file')));
  const roots = await Promise.all(list(ctx.flags['trusted-root']).map((path) => readNamed(path, 'trusted root')));
  if (keys.length === 0 && typeof identity !== 'string' && roots.length === 0) return undefined;
  return {
    keys: keys.map(({ name, text }) => ({ name, pem: text })),
    identities: typeof identity === 'string' && typeof issuer === 'string' ? [{ subjectRegex: identity, issuer }] : [],
    ...(roots.length > 0 ? { trustedRoots: roots.map(({ name, text }) => ({ name, json: text })) } : {}),
  };
}

function trustText(reference: string, trust: ImageTrust): string {
  const policy =
    trust.policy.source === 'none'
      ? 'no trust policy for this registry and namespace (give --key, or --identity and --issuer, or add one in Settings)'
      : trust.policy.source === 'request'
        ? 'the command line'
        : `policy "${trust.policy.name ?? ''}"`;
  const verdict = trust.satisfied ? (trust.verified ? 'VERIFIED' : 'no signature required') : 'NOT VERIFIED';
  const lines = [`${reference} (${trust.digest}): ${verdict} by ${policy}`];
  if (!trust.referrersApi)
    lines.push('  (the registry has no referrers API: its fallback tag and cosign tags were read)');
  if (trust.signatures.length === 0) lines.push('  no signatures found');
  else
    lines.push(
      table(
        ['KIND', 'STATE', 'SIGNER', 'FOUND', 'REASON'],
        trust.signatures.map((signature) => [
          signature.kind,
          signature.state,
          signature.signer ?? '-',
          signature.source.slice(0, 30),
          signature.reason ?? '',
        ]),
      ),
    );
  return `${lines.join('\n')}\n`;
}

export const trustCommands: CliCommand[] = [
  {
    path: ['verify'],
    usage: 'berth verify REF [--key FILE]... [--identity REGEX --issuer URL] [--trusted-root FILE]... [--json]',
    summary:
      "Find the image's signatures (cosign tags, OCI referrers, Sigstore bundles, Notation) and verify them against the flags, or else the settings' trust policy for its registry and namespace; exit 0 when the policy is satisfied, 1 when not",
    options: {
      key: { type: 'string', multiple: true, description: 'a PEM public key (cosign.pub) to trust; repeatable' },
      identity: { type: 'string', description: 'regex the keyless signing certificate subject (SAN) must match' },
      issuer: { type: 'string', description: "the certificate's OIDC issuer URL, exactly" },
      'trusted-root': {
        type: 'string',
        multiple: true,
        description: "a Sigstore trusted_root.json (else the settings' policy's roots)",
      },
      json: JSON_OPTION,
    },
    minArgs: 1,
    maxArgs: 1,
    async run(ctx) {
      const [reference] = ctx.args as [string];
      const override = await overrideFrom(ctx);
      const trust = await ctx.call('trust.verify', { reference, ...(override ? { override } : {}) });
      if (ctx.flags.json === true) {
        const json = {
          digest: trust.digest,
          verified: trust.verified,
          satisfied: trust.satisfied,
          signatures: trust.signatures.map((signature) => ({
            kind: signature.kind,
            verified: signature.verified,
            signer: signature.signer ?? null,
            reason: signature.reason ?? null,
            state: signature.state,
            source: signature.source,
          })),
          policy: trust.policy,
          referrersApi: trust.referrersApi,
        };
        ctx.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      } else ctx.stdout.write(trustText(reference, trust));
      return trust.satisfied ? 0 : 1;
    },
  },
];
