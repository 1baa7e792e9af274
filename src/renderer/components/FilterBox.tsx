/** A toolbar's search box: the search icon and a bare search input; `aria-label` names the input. */
import type { InputHTMLAttributes } from 'react';
import { Icon } from './Icon';

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'className' | 'type' | 'value' | 'onChange'>;

export function FilterBox({
  className,
  value,
  onValue,
  ...input
}: { className: string; value: string; onValue: (value: string) => void } & InputProps) {
  return (
    <label className={`filter-box ${className}`}>
      <Icon name="search" size={13} />
      <input
        className="input-bare"
        type="search"
        value={value}
        onChange={(event) => onValue(event.target.value)}
        {...input}
      />
    </label>
  );
}
