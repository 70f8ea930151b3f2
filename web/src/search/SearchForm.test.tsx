import { screen, waitFor, within } from '@testing-library/react';
import { mswServer } from '../../test/msw';
import { renderApp } from '../../test/render-app';
import { searchAnswer, tagHandlers } from '../../test/search-handlers';

async function openForm() {
  mswServer.use(searchAnswer(), ...tagHandlers);
  const app = renderApp('/search');
  await app.user.click(await screen.findByRole('button', { name: 'Search form' }));
  const form = screen.getByRole('form', { name: 'Search form' });
  // The service list comes from the values of resource.service.name.
  await waitFor(() =>
    expect(within(form).getByRole('combobox', { name: 'Service' })).toHaveTextContent('frontend'),
  );
  return { ...app, form };
}

const written = () => screen.getByRole('status', { name: 'TraceQL written by the form' });

describe('search form', () => {
  it('writes TraceQL as the fields are filled in', async () => {
    const { form, user } = await openForm();
    expect(written()).toHaveTextContent('{}');
    await user.selectOptions(within(form).getByRole('combobox', { name: 'Service' }), 'payment');
    await user.type(within(form).getByRole('combobox', { name: 'Span name' }), 'PaymentService/Charge');
    await user.selectOptions(within(form).getByRole('combobox', { name: 'Status' }), 'Error');
    expect(written()).toHaveTextContent(
      '{ resource.service.name = "payment" && name = "PaymentService/Charge" && status = error }',
    );
    await user.type(within(form).getByRole('textbox', { name: 'Tags' }), 'http.status_code=500');
    await user.type(within(form).getByRole('textbox', { name: 'Min duration' }), '1s');
    await user.selectOptions(within(form).getByRole('combobox', { name: 'Duration of' }), 'the trace');
    expect(written()).toHaveTextContent(
      '{ resource.service.name = "payment" && name = "PaymentService/Charge" && .http.status_code = 500 && traceDuration >= 1s && status = error }',
    );
  });

  it('runs what it wrote, and puts it in the URL', async () => {
    const { form, user, router } = await openForm();
    await user.selectOptions(within(form).getByRole('combobox', { name: 'Service' }), 'frontend');
    await user.type(within(form).getByRole('textbox', { name: 'Max duration' }), '200ms');
    await user.click(within(form).getByRole('button', { name: 'Run query' }));
    expect(new URLSearchParams(router.location.search).get('q')).toBe(
      '{ resource.service.name = "frontend" && duration <= 200ms }',
    );
    expect(await screen.findByRole('table', { name: 'Traces found' })).toBeInTheDocument();
  });

  it('copies its TraceQL into the editor to refine it there', async () => {
    const { form, user } = await openForm();
    await user.selectOptions(within(form).getByRole('combobox', { name: 'Status' }), 'OK');
    await user.click(within(form).getByRole('button', { name: 'Copy to editor' }));
    const editor = screen.getByRole('combobox', { name: 'TraceQL query' });
    expect(editor).toHaveValue('{ status = ok }');
    expect(editor).toHaveFocus();
    expect(screen.getByRole('button', { name: 'TraceQL' })).toHaveAttribute('aria-pressed', 'true');
  });

  it('says which fields it could not read', async () => {
    const { form, user } = await openForm();
    await user.type(within(form).getByRole('textbox', { name: 'Min duration' }), 'soon');
    expect(form).toHaveTextContent('Min duration “soon” is not a duration: write 100ms, 1.5s or 2m.');
    expect(written()).toHaveTextContent('{}');
  });
});
