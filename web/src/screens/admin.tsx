/** Administration: organisations (create, suspend) and users (invite, change role, disable, enable). */
import { useState, type FormEvent } from 'react';
import { unwrap, type Schemas } from '../api/client';
import { useDocumentEnum } from '../api/document';
import { useSession } from '../context';
import { StatusBadge, formatDateTime } from '../ui/format';
import { useCommand, useLoad } from '../ui/hooks';
import { ProblemAlert } from '../ui/problem';

type Role = Schemas['User']['role'];
/** The roles the served document lists. */
const useRoles = () => useDocumentEnum('User', ['role']) as readonly Role[];

export function Admin() {
  const { api, me } = useSession();
  const roles = useRoles();
  const organisations = useLoad(async () => (await unwrap(api.GET('/v1/organisations', { params: { query: { limit: '100' } } }))).items, []);
  const users = useLoad(async () => (await unwrap(api.GET('/v1/users', { params: { query: { limit: '100' } } }))).items, []);
  const command = useCommand();
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const act = (work: () => Promise<unknown>) =>
    command.run(async () => {
      await work();
      organisations.reload();
      users.reload();
    });
  return (
    <section>
      <h1>Administration</h1>
      <ProblemAlert error={command.error} />
      <h2>Organisations</h2>
      <NewOrganisation onCreated={organisations.reload} />
      <ProblemAlert error={organisations.error} />
      <table>
        <caption className="visually-hidden">Organisations</caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Country</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {organisations.data?.map((o) => (
            <tr key={o.orgId}>
              <td>{o.orgId}</td>
              <td>{o.name}</td>
              <td>{o.kind}</td>
              <td>{o.country ?? '–'}</td>
              <td>{o.status && <StatusBadge status={o.status} />}</td>
              <td>
                {o.status !== 'SUSPENDED' && (
                  <div className="buttons">
                    <label className="inline">
                      Reason for suspending {o.orgId}
                      <input maxLength={1000} value={reasons[o.orgId] ?? ''} onChange={(e) => setReasons({ ...reasons, [o.orgId]: e.target.value })} />
                    </label>
                    <button
                      type="button"
                      className="danger"
                      disabled={command.busy || !reasons[o.orgId]}
                      onClick={() => void act(() => unwrap(api.POST('/v1/organisations/{orgId}/suspend', { params: { path: { orgId: o.orgId } }, body: { reason: reasons[o.orgId]! } })))}
                    >
                      Suspend {o.orgId}
                    </button>
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Users</h2>
      <NewUser onCreated={users.reload} />
      <ProblemAlert error={users.error} />
      <table>
        <caption className="visually-hidden">Users</caption>
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">E-mail</th>
            <th scope="col">Role</th>
            <th scope="col">Organisation</th>
            <th scope="col">Status</th>
            <th scope="col">Updated</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {users.data?.map((u) => (
            <tr key={u.userId}>
              <td>{u.username}</td>
              <td>{u.email ?? '–'}</td>
              <td>{u.role}</td>
              <td>{u.orgId ?? '–'}</td>
              <td>{u.status && <StatusBadge status={u.status} />}</td>
              <td>{formatDateTime(u.updatedAt)}</td>
              <td>
                {u.userId !== me.userId && (
                  <div className="buttons">
                    {u.status === 'DISABLED' ? (
                      <button type="button" className="secondary" disabled={command.busy} onClick={() => void act(() => unwrap(api.POST('/v1/users/{userId}/enable', { params: { path: { userId: u.userId } }, body: {} })))}>
                        Enable {u.username}
                      </button>
                    ) : (
                      <button type="button" className="danger" disabled={command.busy} onClick={() => void act(() => unwrap(api.POST('/v1/users/{userId}/disable', { params: { path: { userId: u.userId } }, body: {} })))}>
                        Disable {u.username}
                      </button>
                    )}
                    <label className="inline">
                      Role of {u.username}
                      <select
                        value={u.role}
                        onChange={(e) => {
                          const role = e.target.value as Role;
                          void act(() => unwrap(api.POST('/v1/users/{userId}/change-role', { params: { path: { userId: u.userId } }, body: { role, ...(u.orgId && (role === 'buyer' || role === 'factory') && { orgId: u.orgId }) } })));
                        }}
                      >
                        {roles.map((r) => (
                          <option key={r}>{r}</option>
                        ))}
                      </select>
                    </label>
                  </div>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function NewOrganisation({ onCreated }: { onCreated: () => void }) {
  const { api } = useSession();
  const [kind, setKind] = useState<'buyer' | 'factory'>('factory');
  const [name, setName] = useState('');
  const [country, setCountry] = useState('');
  const command = useCommand();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await command.run(() => unwrap(api.POST('/v1/organisations', { body: { kind, name, ...(country && { country: country.toUpperCase() }) } })))) {
      setName('');
      setCountry('');
      onCreated();
    }
  };
  return (
    <details className="panel">
      <summary>Add an organisation</summary>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <label>
          Kind
          <select value={kind} onChange={(e) => setKind(e.target.value as 'buyer' | 'factory')}>
            <option value="factory">factory</option>
            <option value="buyer">buyer</option>
          </select>
        </label>
        <label>
          Organisation name
          <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label>
          Country (ISO code)
          <input maxLength={2} value={country} onChange={(e) => setCountry(e.target.value)} placeholder="PT" />
        </label>
        <ProblemAlert error={command.error} />
        <button type="submit" disabled={command.busy}>
          Create organisation
        </button>
      </form>
    </details>
  );
}

function NewUser({ onCreated }: { onCreated: () => void }) {
  const { api } = useSession();
  const [username, setUsername] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('buyer');
  const roles = useRoles();
  const [orgId, setOrgId] = useState('');
  const command = useCommand();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await command.run(() => unwrap(api.POST('/v1/users', { body: { username, email, role, ...(orgId && { orgId }) } })))) {
      setUsername('');
      setEmail('');
      onCreated();
    }
  };
  return (
    <details className="panel">
      <summary>Invite a user</summary>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <label>
          Username
          <input required maxLength={64} value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          E-mail
          <input required type="email" maxLength={254} value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {roles.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Organisation id (buyers and factories)
          <input maxLength={100} value={orgId} onChange={(e) => setOrgId(e.target.value)} />
        </label>
        <ProblemAlert error={command.error} />
        <button type="submit" disabled={command.busy}>
          Invite user
        </button>
      </form>
    </details>
  );
}
