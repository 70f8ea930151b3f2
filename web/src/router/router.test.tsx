import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { act } from 'react';
import { createMemoryHistory } from './history';
import { Link, Outlet, RouterProvider, useParams, useSearchParams } from './router';

function TracePage() {
  const { traceId } = useParams();
  const [params, setParams] = useSearchParams();
  return (
    <div>
      <h1>trace {traceId}</h1>
      <p>span {params.get('span') ?? 'none'}</p>
      <button
        type="button"
        onClick={() =>
          setParams((current) => new URLSearchParams({ ...Object.fromEntries(current), span: '02' }), {
            replace: true,
          })
        }
      >
        select
      </button>
    </div>
  );
}

function Layout() {
  return (
    <div>
      <nav>
        <Link to="/trace/ab?tenant=t1">open ab</Link>
      </nav>
      <Outlet />
    </div>
  );
}

const routes = [
  { path: '/', element: <h1>home</h1> },
  { path: '/trace/:traceId', element: <TracePage /> },
  { path: '*', element: <h1>not found</h1> },
];

describe('RouterProvider', () => {
  it('renders the matching page inside the layout and follows links without reloading', async () => {
    const history = createMemoryHistory('/');
    render(<RouterProvider history={history} routes={routes} layout={Layout} />);
    expect(screen.getByRole('heading', { name: 'home' })).toBeInTheDocument();

    await userEvent.click(screen.getByRole('link', { name: 'open ab' }));
    expect(screen.getByRole('heading', { name: 'trace ab' })).toBeInTheDocument();
    expect(history.location).toEqual({ pathname: '/trace/ab', search: '?tenant=t1' });
  });

  it('updates search parameters, keeping the others', async () => {
    const history = createMemoryHistory('/trace/cd?tenant=t1');
    render(<RouterProvider history={history} routes={routes} layout={Layout} />);
    expect(screen.getByText('span none')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'select' }));
    expect(screen.getByText('span 02')).toBeInTheDocument();
    expect(history.location.search).toBe('?tenant=t1&span=02');
  });

  it('shows the catch-all page for unknown paths and re-renders on history changes', () => {
    const history = createMemoryHistory('/nowhere');
    render(<RouterProvider history={history} routes={routes} />);
    expect(screen.getByRole('heading', { name: 'not found' })).toBeInTheDocument();
    act(() => history.push('/trace/ef'));
    expect(screen.getByRole('heading', { name: 'trace ef' })).toBeInTheDocument();
  });
});
