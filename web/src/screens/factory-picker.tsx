/** The factory a request goes to, picked from the directory of registered factories. */
import { unwrap } from '../api/client';
import { useSession } from '../context';
import { useLoad } from '../ui/hooks';
import { ProblemAlert } from '../ui/problem';

export function FactoryPicker({ value, onChange }: { value: string; onChange: (factoryId: string) => void }) {
  const { api } = useSession();
  const factories = useLoad(async () => (await unwrap(api.GET('/v1/organisations', { params: { query: { kind: 'factory', limit: '100' } } }))).items, []);
  return (
    <>
      <label htmlFor="factory-picker">Factory</label>
      <select id="factory-picker" required value={value} onChange={(e) => onChange(e.target.value)}>
          <option value="">Choose a factory…</option>
          {factories.data?.map((f) => (
            <option key={f.orgId} value={f.orgId}>
              {f.name} ({f.orgId}
              {f.country ? `, ${f.country}` : ''})
            </option>
          ))}
      </select>
      <ProblemAlert error={factories.error} />
    </>
  );
}
