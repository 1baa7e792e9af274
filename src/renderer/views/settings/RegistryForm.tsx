/**
 * A registry's connection settings (add and edit): host, display name, kind, plain HTTP, CA certificate,
 * environment namespaces and repositories added by hand. Validation that needs the network (does it
 * answer?) is the "Test connection" button, not the form.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { normalizeRegistryHost } from '../../../shared/reference';
import {
  REGISTRY_KINDS,
  type EnvironmentRole,
  type RegistryKind,
  type RegistrySettings,
} from '../../../shared/types/settings';
import { CheckboxField, SelectField, TextField } from '../../components/Field';
import { Icon } from '../../components/Icon';

export interface RegistryFormValues {
  name: string;
  host: string;
  /** '' lets main detect it from the host. */
  kind: RegistryKind | '';
  insecure: boolean;
  caPath: string;
  environments: EnvironmentRole[];
  repositories: string[];
}

export const KIND_LABELS: Record<RegistryKind, string> = {
  distribution: 'Distribution (self-hosted)',
  dockerhub: 'Docker Hub',
  ghcr: 'GitHub Container Registry',
  quay: 'Quay',
  harbor: 'Harbor',
  gitlab: 'GitLab',
  ecr: 'Amazon ECR',
  acr: 'Azure Container Registry',
  gar: 'Google Artifact Registry',
  zot: 'zot',
  other: 'Other',
};

export function formValuesOf(registry?: RegistrySettings): RegistryFormValues {
  return {
    name: registry?.name ?? '',
    host: registry?.host ?? '',
    kind: registry?.kind ?? '',
    insecure: registry?.insecure ?? false,
    caPath: registry?.caPath ?? '',
    environments: registry?.environments ?? [],
    repositories: registry?.repositories ?? [],
  };
}

/** The form's host, checked and normalised the way main will store it; a message when it is not a host. */
export function checkHost(host: string): { host?: string; error?: string } {
  if (!host.trim()) return { error: 'Enter the registry host, e.g. ghcr.io or 127.0.0.1:5000' };
  try {
    return { host: normalizeRegistryHost(host) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

export function RegistryForm({
  initial,
  mode,
  onSubmit,
  submitLabel,
  footer,
}: {
  initial: RegistryFormValues;
  mode: 'add' | 'edit';
  onSubmit: (values: RegistryFormValues) => Promise<void>;
  submitLabel: string;
  /** Extra buttons beside submit (e.g. Cancel). */
  footer?: ReactNode;
}) {
  const [values, setValues] = useState(initial);
  const [hostError, setHostError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const update = <K extends keyof RegistryFormValues>(key: K, value: RegistryFormValues[K]) =>
    setValues((v) => ({ ...v, [key]: value }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = checkHost(values.host);
    setHostError(checked.error);
    if (!checked.host) return;
    setBusy(true);
    try {
      await onSubmit({ ...values, host: checked.host });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="form"
      onSubmit={(e) => void submit(e)}
      aria-label={mode === 'add' ? 'Add registry' : 'Registry settings'}
    >
      <div className="form-row">
        <TextField
          label="Host"
          value={values.host}
          onChange={(e) => update('host', e.target.value)}
          placeholder="ghcr.io, registry.example.com:5000"
          error={hostError}
          autoFocus={mode === 'add'}
          spellCheck={false}
          required
        />
        <TextField
          label="Name"
          value={values.name}
          onChange={(e) => update('name', e.target.value)}
          placeholder="Defaults to the host"
        />
      </div>
      <div className="form-row">
        <SelectField
          label="Kind"
          value={values.kind}
          onChange={(e) => update('kind', e.target.value as RegistryKind | '')}
        >
          <option value="">Detect from host</option>
          {REGISTRY_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {KIND_LABELS[kind]}
            </option>
          ))}
        </SelectField>
        <TextField
          label="CA certificate (PEM file)"
          value={values.caPath}
          onChange={(e) => update('caPath', e.target.value)}
          placeholder="Optional: /path/to/ca.pem"
          spellCheck={false}
        />
      </div>
      <CheckboxField
        label="Plain HTTP or unverified TLS (insecure)"
        checked={values.insecure}
        onChange={(checked) => update('insecure', checked)}
        hint="Only for registries on a trusted network. Loopback addresses (127.0.0.1, localhost) may use plain HTTP without this."
      />
      {mode === 'edit' ? (
        <>
          <EnvironmentsEditor
            value={values.environments}
            onChange={(environments) => update('environments', environments)}
          />
          <label className="field">
            <span className="field-label">Repositories added by hand (one per line)</span>
            <textarea
              className="input"
              rows={4}
              spellCheck={false}
              value={values.repositories.join('\n')}
              onChange={(e) =>
                update(
                  'repositories',
                  e.target.value
                    .split('\n')
                    .map((l) => l.trim())
                    .filter(Boolean),
                )
              }
            />
            <span className="field-hint">
              For registries that do not list their repositories (Docker Hub, GHCR, ECR...).
            </span>
          </label>
        </>
      ) : null}
      <div className="form-actions">
        {footer}
        <button type="submit" className="button button-primary" disabled={busy}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

function EnvironmentsEditor({
  value,
  onChange,
}: {
  value: EnvironmentRole[];
  onChange: (value: EnvironmentRole[]) => void;
}) {
  const set = (index: number, patch: Partial<EnvironmentRole>) =>
    onChange(value.map((e, i) => (i === index ? { ...e, ...patch } : e)));
  return (
    <fieldset className="fieldset">
      <legend className="field-label">Environments (namespaces that play a role, e.g. dev → dev/)</legend>
      {value.map((env, index) => (
        <div className="form-row env-row" key={index}>
          <input
            className="input"
            aria-label={`Environment ${index + 1} role`}
            value={env.role}
            placeholder="dev"
            onChange={(e) => set(index, { role: e.target.value })}
          />
          <input
            className="input"
            aria-label={`Environment ${index + 1} namespace`}
            value={env.namespace}
            placeholder="dev/"
            onChange={(e) => set(index, { namespace: e.target.value })}
          />
          <button
            type="button"
            className="icon-button"
            aria-label={`Remove environment ${env.role || index + 1}`}
            onClick={() => onChange(value.filter((_, i) => i !== index))}
          >
            <Icon name="trash" size={13} />
          </button>
        </div>
      ))}
      <button
        type="button"
        className="button button-small"
        onClick={() => onChange([...value, { role: '', namespace: '' }])}
      >
        <Icon name="plus" size={12} /> Add environment
      </button>
    </fieldset>
  );
}

/** The contract's input for registries.add / registries.update from the form's values. */
export function registryInput(values: RegistryFormValues) {
  return {
    host: values.host,
    ...(values.name.trim() ? { name: values.name.trim() } : {}),
    ...(values.kind ? { kind: values.kind } : {}),
    insecure: values.insecure,
    ...(values.caPath.trim() ? { caPath: values.caPath.trim() } : {}),
    environments: values.environments
      .filter((e) => e.role.trim())
      .map((e) => ({ role: e.role.trim(), namespace: e.namespace.trim() })),
    repositories: values.repositories,
  };
}
