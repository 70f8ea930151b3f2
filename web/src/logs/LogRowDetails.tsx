import { CopyButton } from '../components/common/CopyButton';
import { DerivedLinkAnchor, type PaneOpener } from './DerivedLinkAnchor';
import type { DerivedLink } from './derived-fields';
import type { LogRow } from './log-rows';

/** An expanded row: its derived fields with their buttons, then every label by kind. */
export function LogRowDetails({
  row,
  links,
  opener,
}: {
  row: LogRow;
  links: DerivedLink[];
  opener: PaneOpener;
}) {
  return (
    <div className="log-details">
      {links.length > 0 && (
        <FieldTable title="Fields">
          {links.map((link) => (
            <tr key={`${link.name}:${link.value}`}>
              <th scope="row">{link.name}</th>
              <td>
                <code>{link.value}</code> <CopyButton value={link.value} label={`Copy ${link.name}`} />{' '}
                <DerivedLinkAnchor
                  link={link}
                  opener={opener}
                  className="button button--ghost log-field-button"
                >
                  {link.label || (link.target.kind === 'trace' ? 'Open trace' : `Open ${link.name}`)}
                </DerivedLinkAnchor>
              </td>
            </tr>
          ))}
        </FieldTable>
      )}
      <LabelTable title="Labels" labels={row.labels} />
      <LabelTable title="Structured metadata" labels={row.structuredMetadata} />
      <LabelTable title="Parsed fields" labels={row.parsed} />
    </div>
  );
}

function FieldTable({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <table className="log-field-table" aria-label={title}>
      <caption>{title}</caption>
      <tbody>{children}</tbody>
    </table>
  );
}

function LabelTable({ title, labels }: { title: string; labels: Record<string, string> }) {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return null;
  return (
    <FieldTable title={title}>
      {entries.map(([name, value]) => (
        <tr key={name}>
          <th scope="row">{name}</th>
          <td>{value}</td>
        </tr>
      ))}
    </FieldTable>
  );
}
