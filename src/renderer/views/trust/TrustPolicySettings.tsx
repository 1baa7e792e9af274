/**
 * Trust policies of one registry, in its Settings pane: per namespace, the cosign public keys, keyless
 * identities (subject and OIDC issuer, exact or regex), Sigstore trusted roots (trusted_root.json),
 * Notation CA certificates, whether a verified signature is required, and the docker-reference check.
 * Keys, roots and CAs are imported from files (a cosign.pub, a trusted_root.json, a CA PEM).
 * Test hooks: region "Trust policies"; one group per policy with aria-label "Trust policy NAME";
 * file inputs labelled "Import cosign public key", "Import trusted_root.json", "Import Notation CA".
 */
import { useEffect, useState, type ChangeEvent } from 'react';
import { emptyTrustPolicy } from '../../../shared/trust-policy-defaults';
import type { TrustIdentity, TrustPolicy } from '../../../shared/types/trust';
import { CheckboxField, FormError, TextField } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { useTrust, type TrustPolicyDraft } from '../../stores/trust';
import './trust.css';

async function readFiles(event: ChangeEvent<HTMLInputElement>): Promise<{ name: string; text: string }[]> {
  const files = [...(event.target.files ?? [])];
  event.target.value = '';
  return Promise.all(files.map(async (file) => ({ name: file.name, text: await file.text() })));
}

export function TrustPolicySettings({ host }: { host: string }) {
  const policies = useTrust((s) => s.policies);
  const load = useTrust((s) => s.loadPolicies);
  const save = useTrust((s) => s.savePolicies);
  const [drafts, setDrafts] = useState<TrustPolicyDraft[] | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    void load();
  }, [load]);
  const all = policies?.value ?? [];
  const mine = drafts ?? all.filter((policy) => policy.registry === host);
  const edit = (index: number, change: Partial<TrustPolicy>) => {
    setSaved(false);
    setDrafts(mine.map((policy, i) => (i === index ? { ...policy, ...change } : policy)));
  };
  const onSave = async () => {
    const stored = new Map(all.map((policy) => [policy.id, policy]));
    const changed = mine.filter(
      (policy) => !policy.id || JSON.stringify(stored.get(policy.id)) !== JSON.stringify(policy),
    );
    const kept = new Set(mine.map((policy) => policy.id));
    const removed = all.filter((policy) => policy.registry === host && !kept.has(policy.id)).map((policy) => policy.id);
    if (await save(changed, removed)) {
      setDrafts(null);
      setSaved(true);
    }
  };
  return (
    <section className="trust-policies" aria-label="Trust policies">
      <h3 className="section-title">
        <Icon name="signature" size={14} /> Trust policies
      </h3>
      <p className="muted">
        Whom to trust for images in {host}, per namespace (the longest matching namespace applies). Used by the Trust
        tab, the tag table&apos;s signature column, <code>berth verify</code> and promotion gates.
      </p>
      {mine.map((policy, index) => (
        <PolicyEditor
          key={policy.id ?? `new-${index}`}
          policy={policy}
          onChange={(change) => edit(index, change)}
          onRemove={() => setDrafts(mine.filter((_, i) => i !== index))}
        />
      ))}
      <div className="form-actions">
        <button type="button" className="button" onClick={() => setDrafts([...mine, emptyTrustPolicy(host, '', host)])}>
          <Icon name="plus" size={13} /> Add policy
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={drafts === null}
          onClick={() => void onSave()}
        >
          Save trust policies
        </button>
        {saved ? <span className="muted">Saved.</span> : null}
      </div>
      <FormError message={policies?.status === 'error' ? policies.error.message : null} />
    </section>
  );
}

function PolicyEditor({
  policy,
  onChange,
  onRemove,
}: {
  policy: TrustPolicyDraft;
  onChange: (change: Partial<TrustPolicy>) => void;
  onRemove: () => void;
}) {
  const setIdentity = (index: number, identity: TrustIdentity) =>
    onChange({ identities: policy.identities.map((old, i) => (i === index ? identity : old)) });
  return (
    <fieldset className="trust-policy" aria-label={`Trust policy ${policy.name}`}>
      <legend>{policy.name}</legend>
      <TextField label="Name" value={policy.name} onChange={(e) => onChange({ name: e.target.value })} />
      <TextField
        label="Namespace"
        hint="Repository prefix this policy covers, e.g. team/ (empty: the whole registry)"
        value={policy.namespace}
        onChange={(e) => onChange({ namespace: e.target.value })}
      />
      <CheckboxField
        label="Require a verified signature"
        checked={policy.required}
        onChange={(required) => onChange({ required })}
      />
      <CheckboxField
        label="Check the signed docker-reference"
        hint="A cosign payload must name this repository, or one of the accepted repositories below (e.g. where a promoted image was signed)."
        checked={policy.checkReference}
        onChange={(checkReference) => onChange({ checkReference })}
      />
      {policy.checkReference ? (
        <TextField
          label="Also accepted repositories"
          hint="Comma-separated prefixes, e.g. registry.example.com/dev/"
          value={policy.acceptedReferences.join(', ')}
          onChange={(e) =>
            onChange({
              acceptedReferences: e.target.value
                .split(',')
                .map((part) => part.trim())
                .filter(Boolean),
            })
          }
        />
      ) : null}

      <h4>Public keys</h4>
      <NamedList
        items={policy.keys.map((key) => key.name)}
        onRemove={(i) => onChange({ keys: policy.keys.filter((_, j) => j !== i) })}
      />
      <label className="button file-button">
        Import cosign public key
        <input
          type="file"
          aria-label="Import cosign public key"
          accept=".pub,.pem,text/plain"
          multiple
          onChange={async (e) =>
            onChange({ keys: [...policy.keys, ...(await readFiles(e)).map(({ name, text }) => ({ name, pem: text }))] })
          }
        />
      </label>

      <h4>Keyless identities</h4>
      {policy.identities.map((identity, index) => (
        <div key={index} className="identity-row" role="group" aria-label={`Identity ${index + 1}`}>
          <IdentityField
            label="Subject (SAN)"
            field="subject"
            identity={identity}
            onChange={(next) => setIdentity(index, next)}
          />
          <IdentityField
            label="OIDC issuer"
            field="issuer"
            identity={identity}
            onChange={(next) => setIdentity(index, next)}
          />
          <button
            type="button"
            className="button"
            onClick={() => onChange({ identities: policy.identities.filter((_, i) => i !== index) })}
          >
            Remove identity
          </button>
        </div>
      ))}
      <button type="button" className="button" onClick={() => onChange({ identities: [...policy.identities, {}] })}>
        <Icon name="plus" size={13} /> Add identity
      </button>

      <h4>Sigstore trusted roots</h4>
      <NamedList
        items={policy.trustedRoots.map((root) => root.name)}
        onRemove={(i) => onChange({ trustedRoots: policy.trustedRoots.filter((_, j) => j !== i) })}
      />
      <label className="button file-button">
        Import trusted_root.json
        <input
          type="file"
          aria-label="Import trusted_root.json"
          accept=".json,application/json"
          onChange={async (e) =>
            onChange({
              trustedRoots: [
                ...policy.trustedRoots,
                ...(await readFiles(e)).map(({ name, text }) => ({ name, json: text })),
              ],
            })
          }
        />
      </label>

      <h4>Notation CA certificates</h4>
      <NamedList
        items={policy.notationCAs.map((ca) => ca.name)}
        onRemove={(i) => onChange({ notationCAs: policy.notationCAs.filter((_, j) => j !== i) })}
      />
      <label className="button file-button">
        Import Notation CA
        <input
          type="file"
          aria-label="Import Notation CA"
          accept=".pem,.crt,text/plain"
          multiple
          onChange={async (e) =>
            onChange({
              notationCAs: [
                ...policy.notationCAs,
                ...(await readFiles(e)).map(({ name, text }) => ({ name, pem: text })),
              ],
            })
          }
        />
      </label>
      <div className="form-actions">
        <button type="button" className="button button-danger" onClick={onRemove}>
          Remove policy
        </button>
      </div>
    </fieldset>
  );
}

/** One field of an identity (subject or issuer): its text, and whether it is a regex. */
function IdentityField({
  label,
  field,
  identity,
  onChange,
}: {
  label: string;
  field: 'subject' | 'issuer';
  identity: TrustIdentity;
  onChange: (identity: TrustIdentity) => void;
}) {
  const regexField = field === 'subject' ? 'subjectRegex' : 'issuerRegex';
  const regex = identity[regexField] !== undefined;
  const value = identity[field] ?? identity[regexField] ?? '';
  return (
    <>
      <TextField
        label={label}
        value={value}
        onChange={(e) => onChange(withField(identity, field, e.target.value, regex))}
      />
      <CheckboxField
        label={`${label} is a regex`}
        checked={regex}
        onChange={(next) => onChange(withField(identity, field, value, next))}
      />
    </>
  );
}

/** An identity with one of its fields (subject or issuer) set exactly or as a regex; empty text clears it. */
function withField(identity: TrustIdentity, field: 'subject' | 'issuer', value: string, regex: boolean): TrustIdentity {
  const regexField = field === 'subject' ? 'subjectRegex' : 'issuerRegex';
  const next: TrustIdentity = { ...identity };
  delete next[field];
  delete next[regexField];
  if (value) next[regex ? regexField : field] = value;
  return next;
}

function NamedList({ items, onRemove }: { items: string[]; onRemove: (index: number) => void }) {
  if (items.length === 0) return <p className="muted">None.</p>;
  return (
    <ul className="named-list">
      {items.map((name, index) => (
        <li key={`${name}-${index}`}>
          <code>{name}</code>{' '}
          <button type="button" className="link-button" aria-label={`Remove ${name}`} onClick={() => onRemove(index)}>
            remove
          </button>
        </li>
      ))}
    </ul>
  );
}
