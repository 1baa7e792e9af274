/** The image config as a person reads a Dockerfile: entrypoint, cmd, env, user, workdir, ports, volumes. */
import { formatPlatform } from '../../../shared/reference';
import type { ImageDetails } from '../../../shared/types/registry';
import { EmptyState } from '../../components/states';
import { CopyButton } from '../../components/CopyButton';
import { KeyValueTable } from './KeyValueTable';

function execForm(value: string[] | null | undefined): string {
  if (!value || value.length === 0) return '—';
  return JSON.stringify(value);
}

export function ConfigTab({ details }: { details: ImageDetails }) {
  const config = details.config;
  if (!config) {
    return (
      <EmptyState
        title="No image config"
        message={
          details.manifest.manifests
            ? 'This is an index: choose a platform above to see its config.'
            : 'This manifest has no image config (an artifact or schema 1).'
        }
        icon="file"
      />
    );
  }
  const env = config.env.map((line): [string, string] => {
    const eq = line.indexOf('=');
    return eq === -1 ? [line, ''] : [line.slice(0, eq), line.slice(eq + 1)];
  });
  return (
    <div className="tab-content config">
      <dl className="props props-wide" aria-label="Config properties">
        <dt>Entrypoint</dt>
        <dd>
          <code>{execForm(config.entrypoint)}</code>
        </dd>
        <dt>Cmd</dt>
        <dd>
          <code>{execForm(config.cmd)}</code>
        </dd>
        <dt>User</dt>
        <dd>{config.user ? <code>{config.user}</code> : <span className="muted">root (not set)</span>}</dd>
        <dt>Working dir</dt>
        <dd>{config.workingDir ? <code>{config.workingDir}</code> : <span className="muted">/ (not set)</span>}</dd>
        <dt>Exposed ports</dt>
        <dd>
          {config.exposedPorts.length > 0 ? (
            config.exposedPorts.map((p) => (
              <code key={p} className="chip">
                {p}
              </code>
            ))
          ) : (
            <span className="muted">none</span>
          )}
        </dd>
        <dt>Volumes</dt>
        <dd>
          {config.volumes.length > 0 ? (
            config.volumes.map((v) => (
              <code key={v} className="chip">
                {v}
              </code>
            ))
          ) : (
            <span className="muted">none</span>
          )}
        </dd>
        {config.stopSignal ? (
          <>
            <dt>Stop signal</dt>
            <dd>
              <code>{config.stopSignal}</code>
            </dd>
          </>
        ) : null}
        <dt>Platform</dt>
        <dd>{formatPlatform(config.platform)}</dd>
        <dt>Config digest</dt>
        <dd>
          <code>{config.digest}</code> <CopyButton text={config.digest} label="Copy config digest" />
        </dd>
      </dl>
      <h3 className="section-title">
        Environment <span className="muted">({env.length})</span>
      </h3>
      <KeyValueTable label="Environment" entries={env} empty="No environment variables." />
    </div>
  );
}
