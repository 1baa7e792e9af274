/**
 * "Promote to…": the menu equivalent of every promotion drag. Lists each lane stage the image can go to
 * (with the target reference it would get) and "Another repository or registry…". A menu button with
 * the WAI-ARIA menu keys: Up/Down move, Enter picks, Escape closes and returns focus to the button. Picking
 * an item also returns focus to the button first, so the promote dialog it opens gives focus back to it.
 */
import { useEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import { createPortal } from 'react-dom';
import { Icon } from '../../components/Icon';
import { useApi } from '../../api/context';
import { usePromotion } from '../../stores/promotion';
import { useRegistries } from '../../stores/registries';
import type { DraggedImage } from './drag';
import { stageIndexOf, stageTarget } from './targets';

export interface PromoteTarget {
  key: string;
  label: string;
  detail: string;
  context: string;
  target: string;
}

/** Every lane stage other than the image's own, as menu entries. */
export function useLaneTargets(image: DraggedImage): PromoteTarget[] {
  const lanes = usePromotion((s) => s.lanes);
  const registries = useRegistries((s) => s.list);
  return useMemo(() => {
    const targets: PromoteTarget[] = [];
    for (const lane of lanes?.value ?? []) {
      const from = stageIndexOf(lane, image);
      lane.stages.forEach((stage, index) => {
        if (index === from) return;
        const host = registries?.value?.find((r) => r.id === stage.registryId)?.host;
        if (!host) return;
        const { reference } = stageTarget(lane, stage, image, host);
        if (reference === image.reference) return;
        const fromName = from >= 0 ? lane.stages[from]!.name : undefined;
        targets.push({
          key: `${lane.name}/${stage.name}`,
          label: `${lane.name} · ${stage.name}`,
          detail: reference,
          context: fromName ? `${lane.name}: ${fromName} → ${stage.name}` : `${lane.name}: → ${stage.name}`,
          target: reference,
        });
      });
    }
    return targets;
  }, [lanes, registries, image]);
}

/** Keys a surrounding tag row or card acts on (open, move, pick up): they stay with the menu. */
const ROW_KEYS = new Set([
  'Enter',
  ' ',
  'Escape',
  'ArrowUp',
  'ArrowDown',
  'ArrowLeft',
  'ArrowRight',
  'Home',
  'End',
  'PageUp',
  'PageDown',
]);

/** Only those: the app's shortcuts (Ctrl+K, "/") still work while the menu button has focus. */
function keepFromRow(event: KeyboardEvent) {
  if (ROW_KEYS.has(event.key)) event.stopPropagation();
}

/** Where the menu goes: under the button (or above it near the window's bottom), right-aligned to it. */
function menuPosition(button: HTMLElement): CSSProperties {
  const rect = button.getBoundingClientRect();
  const below = window.innerHeight - rect.bottom > 280 || rect.top < 280;
  return {
    position: 'fixed',
    right: Math.max(4, window.innerWidth - rect.right),
    ...(below ? { top: rect.bottom + 4 } : { bottom: window.innerHeight - rect.top + 4 }),
  };
}

export function PromoteMenu({
  image,
  compact = false,
  className,
}: {
  image: DraggedImage;
  compact?: boolean;
  className?: string;
}) {
  const api = useApi();
  const [open, setOpen] = useState(false);
  const [position, setPosition] = useState<CSSProperties>({});
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const itemRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const lanes = usePromotion((s) => s.lanes);
  const propose = usePromotion((s) => s.propose);
  const chooseTarget = usePromotion((s) => s.chooseTarget);
  const targets = useLaneTargets(image);

  useEffect(() => {
    if (open && !lanes) void usePromotion.of(api).getState().loadLanes();
  }, [open, lanes, api]);

  useEffect(() => {
    if (!open) return;
    itemRefs.current[0]?.focus();
    const onPointer = (event: MouseEvent) => {
      if (!menuRef.current?.contains(event.target as Node) && !buttonRef.current?.contains(event.target as Node))
        setOpen(false);
    };
    // The menu is fixed to where the button was: scrolling or resizing closes it.
    const onMove = () => setOpen(false);
    document.addEventListener('mousedown', onPointer);
    window.addEventListener('resize', onMove);
    window.addEventListener('scroll', onMove, true);
    return () => {
      document.removeEventListener('mousedown', onPointer);
      window.removeEventListener('resize', onMove);
      window.removeEventListener('scroll', onMove, true);
    };
  }, [open, targets.length]);

  const openMenu = () => {
    if (buttonRef.current) setPosition(menuPosition(buttonRef.current));
    setOpen(true);
  };

  const closeMenu = () => {
    setOpen(false);
    buttonRef.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const items = itemRefs.current.filter((el): el is HTMLButtonElement => el !== null);
    const index = items.indexOf(document.activeElement as HTMLButtonElement);
    if (event.key === 'ArrowDown') items[(index + 1) % items.length]?.focus();
    else if (event.key === 'ArrowUp') items[(index - 1 + items.length) % items.length]?.focus();
    else if (event.key === 'Home') items[0]?.focus();
    else if (event.key === 'End') items[items.length - 1]?.focus();
    else if (event.key === 'Escape') closeMenu();
    else if (event.key === 'Tab') setOpen(false);
    else return;
    if (event.key !== 'Tab') event.preventDefault();
    event.stopPropagation();
  };

  const pick = (action: () => void) => {
    buttonRef.current?.focus();
    setOpen(false);
    action();
  };

  itemRefs.current = [];
  return (
    <span className={`menu-anchor${className ? ` ${className}` : ''}`} onKeyDown={keepFromRow}>
      <button
        ref={buttonRef}
        type="button"
        className={compact ? 'icon-button' : 'button button-small'}
        aria-haspopup="menu"
        aria-expanded={open}
        // The icon-only button needs a name; the labelled one is named by its text (axe: label-content-name-mismatch).
        aria-label={compact ? `Promote ${image.reference} to…` : undefined}
        title={compact ? 'Promote to…' : `Promote ${image.reference} to…`}
        onClick={(event) => {
          event.stopPropagation();
          if (open) setOpen(false);
          else openMenu();
        }}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' && !open) {
            event.preventDefault();
            openMenu();
          }
        }}
      >
        <Icon name="lanes" size={13} />
        {compact ? null : <span>Promote to…</span>}
      </button>
      {open
        ? createPortal(
            <div
              ref={menuRef}
              className="menu"
              style={position}
              role="menu"
              aria-label={`Promote ${image.tag} to`}
              onKeyDown={onKeyDown}
              onClick={(event) => event.stopPropagation()}
            >
              {lanes?.status === 'loading' && !lanes.value ? <div className="menu-note">Loading lanes…</div> : null}
              {targets.map((target, i) => (
                <button
                  key={target.key}
                  ref={(el) => {
                    itemRefs.current[i] = el;
                  }}
                  type="button"
                  role="menuitem"
                  tabIndex={-1}
                  className="menu-item"
                  onClick={() => pick(() => void propose(image.reference, target.target, target.context))}
                >
                  <span className="menu-item-label">{target.label}</span>
                  <span className="menu-item-detail mono">{target.detail}</span>
                </button>
              ))}
              {targets.length > 0 ? <div className="menu-separator" role="separator" /> : null}
              <button
                ref={(el) => {
                  itemRefs.current[targets.length] = el;
                }}
                type="button"
                role="menuitem"
                tabIndex={-1}
                className="menu-item"
                // The target is for the user to type: prefilled with the source, Plan would promote it onto itself.
                onClick={() => pick(() => chooseTarget(image.reference))}
              >
                <span className="menu-item-label">Another repository or registry…</span>
              </button>
            </div>,
            document.body,
          )
        : null}
    </span>
  );
}
