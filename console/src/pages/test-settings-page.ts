/** Test Settings: the whole pipeline against the directory, nothing committed; the plan it would apply. */
import type { AppState } from '../app-state';
import { settingsRequestOf } from '../config-form';
import { announce, h, pageHeading, replaceChildren } from '../dom';
import { renderReport } from '../report-view';
import type { Report } from '../types';

export function renderTestSettingsPage(state: AppState, main: HTMLElement): void {
  const result = h('div', { id: 'test-result', 'aria-live': 'polite' });
  const status = h('p', { role: 'status', class: 'form-status' });
  const unsaved = state.draft?.dirty === true;
  const runButton = h('button', { type: 'button', class: 'primary' }, 'Run Test Settings');

  const show = (report: Report, fromUnsaved: boolean): void => {
    replaceChildren(
      result,
      h(
        'p',
        { class: 'hint' },
        fromUnsaved ? 'Tested the unsaved settings of Directory Services.' : 'Tested the saved settings.',
      ),
      renderReport(report, {
        id: 'test',
        onEditField: state.editField,
      }),
    );
  };

  runButton.addEventListener('click', async () => {
    runButton.disabled = true;
    status.replaceChildren(h('span', { class: 'spinner', 'aria-hidden': 'true' }), ' Testing…');
    result.setAttribute('aria-busy', 'true');
    const draft = state.draft?.dirty ? state.draft : undefined;
    try {
      const report = await state.api.testSettings(draft ? settingsRequestOf(draft) : {});
      state.lastTest = { report, unsaved: draft !== undefined };
      status.textContent = `Test Settings ${report.status === 'succeeded' ? 'succeeded' : 'failed'}.`;
      show(report, draft !== undefined);
      announce(status.textContent);
    } catch (error) {
      status.textContent = '';
      replaceChildren(
        result,
        h(
          'div',
          { class: 'alert alert-error', role: 'alert' },
          h('p', {}, `Test Settings could not run: ${(error as Error).message}`),
          h('p', {}, h('a', { href: '#/directory' }, 'Check the settings in Directory Services')),
        ),
      );
    } finally {
      runButton.disabled = false;
      result.removeAttribute('aria-busy');
    }
  });

  replaceChildren(
    main,
    pageHeading('Test Settings'),
    h(
      'p',
      { class: 'intro' },
      'Runs the whole synchronization (resolve servers, connect, bind, search, filter, plan) and commits nothing: the plan shows what Synchronize now would do.',
    ),
    unsaved
      ? h('p', { class: 'alert alert-info' }, 'Directory Services has unsaved changes: the test uses them.')
      : '',
    h('div', { class: 'actions' }, runButton),
    status,
    result,
  );
  if (state.lastTest) show(state.lastTest.report, state.lastTest.unsaved);
}
