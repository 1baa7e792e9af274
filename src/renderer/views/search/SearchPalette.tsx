/**
 * One search box over repositories and tags of every registry already seen (the local index behind
 * `search.query`; every added registry is indexed in the background, and while that runs the palette says
 * so), opened with Ctrl/Cmd+K or "/". Arrow keys choose, Enter opens, Escape closes (focus goes back where it
 * was). Reopened, it shows the last query selected, so typing replaces it.
 * Test hooks: dialog "Search"; combobox "Search repositories and tags"; listbox "Results" with options.
 */
import * as RadixDialog from '@radix-ui/react-dialog';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useReturnFocus } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { Spinner } from '../../components/states';
import { tagReference } from '../../logic/references';
import { useNavigation } from '../../navigation/store';
import { useOperations } from '../../stores/operations';
import { useRegistries } from '../../stores/registries';
import { useSearch, type SearchHit } from '../../stores/search';

const DEBOUNCE_MS = 120;

export function searchShortcutLabel(): string {
  return typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform) ? '⌘K' : 'Ctrl K';
}

export function SearchPalette() {
  const open = useSearch((s) => s.open);
  const setOpen = useSearch((s) => s.setOpen);
  const returnFocus = useReturnFocus(open);
  return (
    <RadixDialog.Root open={open} onOpenChange={setOpen}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="dialog-overlay" />
        <RadixDialog.Content
          className="dialog search-dialog"
          aria-label="Search"
          onCloseAutoFocus={returnFocus.onCloseAutoFocus}
        >
          <RadixDialog.Title className="visually-hidden">Search</RadixDialog.Title>
          <RadixDialog.Description className="visually-hidden">
            Repositories and tags of every registry Berth has listed
          </RadixDialog.Description>
          {open ? <SearchBody onClose={() => setOpen(false)} /> : null}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

function SearchBody({ onClose }: { onClose: () => void }) {
  const query = useSearch((s) => s.query);
  const results = useSearch((s) => s.results);
  const search = useSearch((s) => s.search);
  const registries = useRegistries((s) => s.list?.value);
  const indexing = useOperations((s) =>
    s.order.some((id) => s.entries[id]?.kind === 'registry.index' && !s.entries[id]?.done),
  );
  const navigate = useNavigation((s) => s.navigate);
  const [text, setText] = useState(query);
  const [active, setActive] = useState(0);
  const input = useRef<HTMLInputElement>(null);
  // The previous query, selected: typing replaces it, arrows or Enter reuse it.
  useEffect(() => input.current?.select(), []);

  useEffect(() => {
    const timer = setTimeout(() => void search(text), text === query ? 0 : DEBOUNCE_MS);
    return () => clearTimeout(timer);
    // Only the text drives searching; `query` is the store's echo of it (reopening shows it at once).
  }, [text, search]);

  const hits = useMemo(() => results.value ?? [], [results]);
  useEffect(() => setActive(0), [hits]);
  const registryOf = (id: string) => registries?.find((r) => r.id === id);

  const openHit = (hit: SearchHit) => {
    const registry = registryOf(hit.registryId);
    if (hit.tag && registry)
      navigate({ view: 'image', reference: tagReference(registry.host, hit.repository, hit.tag) });
    else navigate({ view: 'repository', registryId: hit.registryId, repository: hit.repository });
    onClose();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'ArrowDown') setActive((a) => Math.min(hits.length - 1, a + 1));
    else if (event.key === 'ArrowUp') setActive((a) => Math.max(0, a - 1));
    else if (event.key === 'Enter' && hits[active]) openHit(hits[active]);
    else return;
    event.preventDefault();
  };

  const optionId = (i: number) => `search-option-${i}`;
  useEffect(() => {
    document.getElementById(optionId(active))?.scrollIntoView?.({ block: 'nearest' });
  }, [active]);

  return (
    <div className="search">
      <div className="search-input-row">
        <Icon name="search" size={15} />
        <input
          ref={input}
          className="input-bare search-input"
          role="combobox"
          aria-label="Search repositories and tags"
          aria-expanded={hits.length > 0}
          aria-controls="search-results"
          aria-activedescendant={hits.length > 0 ? optionId(active) : undefined}
          aria-autocomplete="list"
          placeholder="Search repositories and tags, e.g. team-a/app or 1.2"
          autoFocus
          spellCheck={false}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
        />
        {results.status === 'loading' ? <Spinner size={13} /> : null}
        <kbd>Esc</kbd>
      </div>
      <ul id="search-results" role="listbox" aria-label="Results" className="search-results">
        {hits.map((hit, i) => {
          const registry = registryOf(hit.registryId);
          return (
            <li
              key={`${hit.registryId}/${hit.repository}:${hit.tag ?? ''}`}
              id={optionId(i)}
              role="option"
              aria-selected={i === active}
              className={`search-hit${i === active ? ' active' : ''}`}
              onMouseMove={() => setActive(i)}
              onClick={() => openHit(hit)}
            >
              <Icon name={hit.tag ? 'tag' : 'repository'} size={14} />
              <span className="search-hit-name">
                {hit.repository}
                {hit.tag ? <span className="search-hit-tag">:{hit.tag}</span> : null}
              </span>
              <span className="muted search-hit-registry">{registry?.name ?? hit.registryId}</span>
            </li>
          );
        })}
      </ul>
      {results.status === 'error' ? (
        <div className="search-note" role="alert">
          {results.error.message}
        </div>
      ) : text.trim() && results.status === 'ready' && hits.length === 0 ? (
        <div className="search-note">
          Nothing found. Search covers repositories and tags Berth has already listed: open a registry or repository to
          add it to the index.
        </div>
      ) : !text.trim() ? (
        <div className="search-note">
          Type part of a repository or tag name. Search covers every registry Berth has listed.
        </div>
      ) : null}
      {indexing ? (
        <div className="search-note" role="status">
          Indexing registries in the background: results grow as it goes.
        </div>
      ) : null}
    </div>
  );
}
