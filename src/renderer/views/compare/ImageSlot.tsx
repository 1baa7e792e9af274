/**
 * One side of a comparison: a reference field that suggests tags from Berth's search index as you type,
 * accepts a dropped tag (from the tag table or a lane) and offers the local Docker engine's images
 * (`docker-daemon:NAME:TAG`).
 */
import { useEffect, useState, type DragEvent } from 'react';
import type { LocalImage } from '../../../shared/types/docker';
import { useApi } from '../../api/context';
import { Icon } from '../../components/Icon';
import { useRegistries } from '../../stores/registries';
import { carriesImage, readDraggedImage } from '../promote/drag';

export const DOCKER_DAEMON_PREFIX = 'docker-daemon:';

export interface ImageSlotProps {
  side: 'a' | 'b';
  label: string;
  value: string;
  onChange: (value: string) => void;
  /** A drop or a local pick is a complete choice: compare right away. */
  onCommit: (value: string) => void;
}

export function ImageSlot({ side, label, value, onChange, onCommit }: ImageSlotProps) {
  const api = useApi();
  const [dropping, setDropping] = useState(false);
  const [local, setLocal] = useState<{ images?: LocalImage[]; error?: string } | null>(null);
  const suggestions = useSuggestions(value);

  const onDrop = (event: DragEvent) => {
    const image = readDraggedImage(event.dataTransfer);
    setDropping(false);
    if (!image) return;
    event.preventDefault();
    onChange(image.reference);
    onCommit(image.reference);
  };

  const openLocal = () => {
    if (local) {
      setLocal(null);
      return;
    }
    setLocal({});
    api.call('docker.images', {}).then(
      (images) => setLocal({ images }),
      (error: Error) => setLocal({ error: error.message }),
    );
  };

  const localTags = (local?.images ?? []).flatMap((image) => image.repoTags.filter((t) => t !== '<none>:<none>'));

  return (
    <div
      className={`image-slot${dropping ? ' dropping' : ''}`}
      data-testid={`compare-slot-${side}`}
      onDragOver={(event) => {
        if (!carriesImage(event.dataTransfer)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        setDropping(true);
      }}
      onDragLeave={() => setDropping(false)}
      onDrop={onDrop}
    >
      <label className="image-slot-label" htmlFor={`compare-${side}`}>
        {label}
      </label>
      <div className="image-slot-row">
        <input
          id={`compare-${side}`}
          className="input mono"
          list={`compare-${side}-suggestions`}
          autoComplete="off"
          value={value}
          placeholder="registry/repository:tag, or drop a tag here"
          spellCheck={false}
          onChange={(event) => onChange(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') onCommit(value.trim());
          }}
        />
        <datalist id={`compare-${side}-suggestions`}>
          {suggestions.map((reference) => (
            <option key={reference} value={reference} />
          ))}
        </datalist>
        <button
          type="button"
          className="button button-small"
          aria-expanded={local !== null}
          onClick={openLocal}
          title="Pick an image from the local Docker engine"
        >
          <Icon name="docker" size={13} /> Local
        </button>
      </div>
      {local ? (
        <div className="image-slot-local" role="listbox" aria-label="Local Docker images">
          {local.error ? <div className="state-inline">{local.error}</div> : null}
          {!local.images && !local.error ? <div className="muted">Loading local images…</div> : null}
          {local.images && localTags.length === 0 ? (
            <div className="muted">The engine has no tagged images.</div>
          ) : null}
          {localTags.map((tag) => (
            <button
              key={tag}
              type="button"
              role="option"
              aria-selected={value === `${DOCKER_DAEMON_PREFIX}${tag}`}
              className="image-slot-option mono"
              onClick={() => {
                const reference = `${DOCKER_DAEMON_PREFIX}${tag}`;
                setLocal(null);
                onChange(reference);
                onCommit(reference);
              }}
            >
              {tag}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}

/** Tag references matching what is typed (Berth's search over the registries' repositories and tags). */
function useSuggestions(text: string): string[] {
  const api = useApi();
  const registries = useRegistries((s) => s.list);
  const [suggestions, setSuggestions] = useState<string[]>([]);
  const query = text.trim();
  useEffect(() => {
    if (query.length < 2 || query.startsWith(DOCKER_DAEMON_PREFIX)) {
      setSuggestions([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      api.call('search.query', { query, limit: 20 }).then(
        (hits) => {
          if (!live) return;
          const hostOf = (id: string) => registries?.value?.find((r) => r.id === id)?.host;
          setSuggestions(
            hits.flatMap((hit) =>
              hit.tag && hostOf(hit.registryId) ? [`${hostOf(hit.registryId)}/${hit.repository}:${hit.tag}`] : [],
            ),
          );
        },
        // Suggestions are a convenience: without them the field still takes any reference.
        () => live && setSuggestions([]),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [api, query, registries]);
  return suggestions;
}
