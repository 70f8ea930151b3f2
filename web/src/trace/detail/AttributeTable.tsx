import { anyValueToString } from '../model/attributes';
import type { KeyValue } from '../model/types';
import { TruncatedValue } from './TruncatedValue';

/** Key/value pairs as a two-column table; long values are truncated. */
export function AttributeTable({ attributes, label }: { attributes: readonly KeyValue[]; label: string }) {
  if (attributes.length === 0) return <p className="muted small">None</p>;
  return (
    <table className="attribute-table" aria-label={label}>
      <tbody>
        {attributes.map((kv, i) => {
          const text = anyValueToString(kv.value);
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: keys may repeat; the list never reorders
            <tr key={i}>
              <th scope="row">{kv.key}</th>
              <td>
                <TruncatedValue value={text} multiline={text.includes('\n')} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
