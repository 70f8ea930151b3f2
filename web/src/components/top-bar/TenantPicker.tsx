import { type FormEvent, useEffect, useId, useState } from 'react';
import { useSearchParams } from '../../router/router';
import { usePreferences } from '../../state/preferences';
import { readTenant, withParam } from '../../state/url-state';

/** Tempo's tenant-ID rules: up to 150 of `A-Za-z0-9!-_.*'()`, and never "." or "..". */
export function tenantError(tenant: string): string | undefined {
  if (tenant === '') return undefined;
  if (tenant.length > 150) return 'A tenant ID has at most 150 characters.';
  if (tenant === '.' || tenant === '..') return 'A tenant ID cannot be "." or "..".';
  if (!/^[A-Za-z0-9!\-_.*'()]+$/.test(tenant)) return "Only letters, digits and !-_.*'() are allowed.";
  return undefined;
}

/** Shown when multi-tenancy is on: the tenant is sent as `X-Scope-OrgID` and kept in the URL. */
export function TenantPicker() {
  const [params, setParams] = useSearchParams();
  const current = readTenant(params);
  const [draft, setDraft] = useState(current);
  const [error, setError] = useState<string | undefined>();
  const { recentTenants, rememberTenant } = usePreferences();
  const inputId = useId();
  const listId = useId();
  const errorId = useId();

  useEffect(() => setDraft(current), [current]);

  const apply = (event?: FormEvent) => {
    event?.preventDefault();
    const tenant = draft.trim();
    const problem = tenantError(tenant);
    setError(problem);
    if (problem || tenant === current) return;
    if (tenant) rememberTenant(tenant);
    setParams(withParam(params, 'tenant', tenant));
  };

  return (
    <form className="tenant-picker" onSubmit={apply}>
      <label htmlFor={inputId} className="inline-label">
        Tenant
      </label>
      <input
        id={inputId}
        className="input tenant-input"
        list={listId}
        value={draft}
        placeholder="single-tenant"
        aria-invalid={error !== undefined}
        aria-describedby={error ? errorId : undefined}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={() => apply()}
      />
      <datalist id={listId}>
        {recentTenants.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      {error && (
        <p id={errorId} role="alert" className="field-error field-error--floating">
          {error}
        </p>
      )}
    </form>
  );
}
