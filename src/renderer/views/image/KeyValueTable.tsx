/** Key/value pairs of an image config (labels, environment) as a table, or a note when there are none. */
export function KeyValueTable({
  label,
  entries,
  empty,
}: {
  label: string;
  entries: readonly (readonly [string, string])[];
  empty: string;
}) {
  if (entries.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table className="kv-table" aria-label={label}>
      <tbody>
        {/* Keys may repeat (an env list can set a variable twice), so the index keeps React keys unique. */}
        {entries.map(([key, value], i) => (
          <tr key={`${key}-${i}`}>
            <th scope="row">
              <code>{key}</code>
            </th>
            <td>
              <code className="wrap">{value}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
