/**
 * "Explain a user" (on the Test Settings page): a name (sAMAccountName, UPN, DN or objectGUID) explained by
 * GET /directory/users/{name}: in scope or not, each filter's verdict with what it found (the group chain),
 * the mapped user, what a sync would do and the user database's record. "Synchronize this user" applies that
 * user's plan now (POST /sync/users/{name}, followed to its end), shows the run's outcome and explains the
 * user again. The words are explain-text.ts's.
 */
import { membershipLines } from '../../shared/domain/report-text';
import { type ApiClient, ApiError } from './api-client';
import { announce, formatTime, h, replaceChildren, scrollingTable } from './dom';
import {
  currentRecordSentence,
  explainFailure,
  filterLines,
  PLANNED_ACTION_LABELS,
  plannedActionSentence,
  scopeSentence,
  userSyncOutcome,
} from './explain-text';
import { attributeRows, mappedView } from './pages/directory/mapping-editor';
import type { UserExplanation } from './types';

export interface ExplainBox {
  readonly element: HTMLElement;
  /** Fills in the name and explains it; `focusResult` moves the focus to the result (when asked from elsewhere). */
  explain(name: string, options?: { readonly focusResult?: boolean }): void;
}

const VERDICT_TEXT = { passed: '✓ Passed', failed: '✗ Failed', off: 'Off' } as const;

/** The box's elements, and what it remembers between requests. */
interface Explainer {
  readonly api: ApiClient;
  readonly input: HTMLInputElement;
  readonly inputError: HTMLElement;
  readonly explainButton: HTMLButtonElement;
  readonly status: HTMLElement;
  readonly alert: HTMLElement;
  readonly result: HTMLElement;
  readonly syncButton: HTMLButtonElement;
  /** Synchronize this user with its hint, shown while an explanation is. */
  readonly syncActions: HTMLElement;
  readonly outcome: HTMLElement;
  /** The explanation on screen (what Synchronize this user applies). */
  shown: UserExplanation | undefined;
  /** The latest request's number: the answer to an earlier one is dropped. */
  latest: number;
}

/** The Explain a user section, asking `api`; see the module's comment. */
export function explainBox(api: ApiClient): ExplainBox {
  const box = explainerOf(api);
  box.syncButton.addEventListener('click', () => void synchronizeShown(box));
  const element = h(
    'section',
    { class: 'explain', id: 'explain', 'aria-labelledby': 'explain-heading' },
    h('h2', { id: 'explain-heading' }, 'Explain a user'),
    h(
      'p',
      { class: 'hint' },
      'Why a directory user is or is not synchronized, and what a sync would do with it, with the saved settings. Reads only this user and changes nothing.',
    ),
    explainForm(box),
    box.status,
    box.alert,
    box.result,
    box.syncActions,
    box.outcome,
  );

  return {
    element,
    explain(name, options = {}) {
      box.input.value = name;
      void explainName(box, name, { focusResult: options.focusResult ?? false });
    },
  };
}

function explainerOf(api: ApiClient): Explainer {
  const syncButton = h('button', { type: 'button', id: 'explain-sync' }, 'Synchronize this user');
  // The hidden wrapper: `.actions` sets a display, which would override `hidden` on the same element.
  const syncActions = h(
    'div',
    { hidden: true },
    h(
      'div',
      { class: 'actions' },
      syncButton,
      h(
        'p',
        { class: 'hint', id: 'explain-sync-hint' },
        'Applies this user’s plan now, as a sync would (deletes only with “Delete users” on), and records a run.',
      ),
    ),
  );
  syncButton.setAttribute('aria-describedby', 'explain-sync-hint');
  return {
    api,
    input: h('input', {
      type: 'text',
      id: 'explain-name',
      name: 'name',
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-describedby': 'explain-name-hint',
    }),
    inputError: h('p', { class: 'field-error', id: 'explain-name-error', hidden: true }),
    explainButton: h('button', { type: 'submit', class: 'primary' }, 'Explain'),
    status: h('p', { role: 'status', class: 'form-status', id: 'explain-status' }),
    alert: h('div', { id: 'explain-alert' }),
    result: h('div', { id: 'explain-result' }),
    syncButton,
    syncActions,
    outcome: h('div', { id: 'explain-sync-outcome' }),
    shown: undefined,
    latest: 0,
  };
}

/** The name field with its Explain button; submitting explains the name. */
function explainForm(box: Explainer): HTMLFormElement {
  const form = h(
    'form',
    { id: 'explain-form', novalidate: true, 'aria-labelledby': 'explain-heading' },
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'explain-name' }, 'User to explain'),
      h(
        'p',
        { class: 'hint', id: 'explain-name-hint' },
        'sAMAccountName, user principal name, distinguished name or objectGUID.',
      ),
      box.inputError,
      h('div', { class: 'inline' }, box.input, box.explainButton),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void explainName(box, box.input.value);
  });
  return form;
}

function setInputError({ input, inputError }: Explainer, message: string | undefined): void {
  inputError.textContent = message ?? '';
  inputError.hidden = message === undefined;
  if (message === undefined) {
    input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', 'explain-name-hint');
  } else {
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', 'explain-name-error explain-name-hint');
  }
}

function showAlert(
  box: Explainer,
  text: string,
  names: readonly string[] = [],
  more: Node | string = '',
): void {
  replaceChildren(
    box.alert,
    h(
      'div',
      { class: 'alert alert-error', role: 'alert' },
      h('p', {}, text, more),
      names.length > 0
        ? h(
            'ul',
            { class: 'alert-list' },
            names.map((dn) => h('li', { class: 'dn' }, dn)),
          )
        : '',
    ),
  );
}

/** Explains `name`; with `keepOutcome`, the last sync's outcome stays (the refresh after it). */
async function explainName(
  box: Explainer,
  name: string,
  { focusResult = false, keepOutcome = false }: { focusResult?: boolean; keepOutcome?: boolean } = {},
): Promise<void> {
  const { input, explainButton, result, status } = box;
  const request = ++box.latest;
  setInputError(box, undefined);
  replaceChildren(box.alert);
  if (!keepOutcome) replaceChildren(box.outcome);
  if (name.trim() === '') {
    setInputError(box, 'Type a user name, distinguished name or objectGUID.');
    input.focus();
    return;
  }
  const keepFocus = focusKeeper(explainButton);
  explainButton.disabled = true;
  result.setAttribute('aria-busy', 'true');
  status.textContent = `Explaining ${name}…`;
  try {
    const explanation = await box.api.explainUser(name.trim());
    if (request !== box.latest) return;
    showExplanation(box, explanation, focusResult);
  } catch (error) {
    if (request !== box.latest) return;
    box.shown = undefined;
    replaceChildren(result);
    box.syncActions.hidden = true;
    status.textContent = '';
    const { text, names } = explainFailure(name.trim(), error);
    showAlert(box, text, names);
    if (focusResult) input.focus();
  } finally {
    if (request === box.latest) {
      explainButton.disabled = false;
      result.removeAttribute('aria-busy');
      keepFocus();
    }
  }
}

function showExplanation(box: Explainer, explanation: UserExplanation, focusResult: boolean): void {
  box.shown = explanation;
  replaceChildren(box.result, renderExplanation(explanation));
  box.syncActions.hidden = false;
  box.status.textContent = `${explanation.attributes.sAMAccountName}: ${
    explanation.inScope ? 'in scope' : 'not in scope'
  }; planned action: ${PLANNED_ACTION_LABELS[explanation.plannedAction].toLowerCase()}.`;
  if (focusResult) {
    const heading = document.getElementById('explain-result-heading');
    heading?.scrollIntoView({ block: 'start' });
    heading?.focus();
  }
}

/** Synchronize this user: applies the shown explanation's plan, shows the run's outcome, explains it again. */
async function synchronizeShown(box: Explainer): Promise<void> {
  const { syncButton, explainButton, outcome, status } = box;
  const explanation = box.shown;
  if (!explanation) return;
  const name = explanation.attributes.sAMAccountName;
  const keepFocus = focusKeeper(syncButton);
  syncButton.disabled = true;
  explainButton.disabled = true;
  replaceChildren(box.alert);
  replaceChildren(outcome);
  status.textContent = `Synchronizing ${name}…`;
  try {
    // By objectGUID: the entry explained, whatever its names have become since.
    const report = await box.api.synchronizeUser(explanation.objectGuid);
    const { ok, text } = userSyncOutcome(report);
    replaceChildren(
      outcome,
      h(
        'div',
        { class: `alert ${ok ? 'alert-info' : 'alert-error'}`, id: 'explain-sync-result' },
        h('p', {}, text),
        h('p', {}, h('a', { href: '#/runs' }, 'See the run in Runs')),
      ),
    );
    announce(text);
    await explainName(box, explanation.distinguishedName, { keepOutcome: true });
  } catch (error) {
    status.textContent = '';
    if (error instanceof ApiError && error.code === 'SyncRunning') {
      const runId = error.details.find((detail) => detail.path === 'runId')?.message;
      showAlert(
        box,
        `A sync is running${runId ? ` (run ${runId})` : ''}: synchronize this user when it has finished. `,
        [],
        h('a', { href: '#/runs' }, 'Follow it in Runs'),
      );
    } else {
      showAlert(
        box,
        `The user could not be synchronized: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  } finally {
    syncButton.disabled = false;
    explainButton.disabled = false;
    keepFocus();
  }
}

/**
 * A button about to be disabled while it works loses the focus to the page; the function returned gives it
 * back (when it had it, and nothing else took it meanwhile).
 */
function focusKeeper(button: HTMLButtonElement): () => void {
  const had = document.activeElement === button;
  return () => {
    const now = document.activeElement;
    if (had && (now === null || now === document.body || now === button)) button.focus();
  };
}

function renderExplanation(explanation: UserExplanation): HTMLElement {
  const { attributes, mapped, current } = explanation;
  return h(
    'div',
    { class: 'explanation' },
    h(
      'h3',
      { id: 'explain-result-heading', tabindex: -1 },
      attributes.displayName
        ? `${attributes.sAMAccountName} (${attributes.displayName})`
        : attributes.sAMAccountName,
    ),
    h('p', { class: 'dn', id: 'explain-dn' }, explanation.distinguishedName),
    h(
      'p',
      { id: 'explain-scope', class: explanation.inScope ? 'in-scope' : 'out-of-scope' },
      h('strong', {}, explanation.inScope ? '✓ ' : '✗ ', scopeSentence(explanation)),
    ),
    scrollingTable(
      'Filters',
      ['Filter', 'Result', 'What it found'],
      filterLines(explanation).map((line) =>
        h(
          'tr',
          { class: line.verdict === 'failed' ? 'row-failed' : '' },
          h('th', { scope: 'row' }, line.label),
          h(
            'td',
            {},
            h(
              'span',
              { class: line.verdict === 'off' ? 'hint' : line.verdict === 'passed' ? 'ok' : 'failed' },
              VERDICT_TEXT[line.verdict],
            ),
          ),
          h('td', {}, line.detail),
        ),
      ),
    ),
    h('h4', {}, 'What a sync would do'),
    h(
      'p',
      { id: 'explain-action' },
      h(
        'span',
        { class: `action action-${explanation.plannedAction}` },
        PLANNED_ACTION_LABELS[explanation.plannedAction],
      ),
      ' ',
      plannedActionSentence(explanation),
    ),
    explanation.reason ? h('p', { id: 'explain-reason' }, 'Reason: ', explanation.reason) : '',
    mapped ? h('h4', {}, 'Mapped user') : '',
    mapped
      ? h(
          'dl',
          { class: 'details', id: 'explain-mapped' },
          h('div', {}, h('dt', {}, 'User name'), h('dd', {}, mapped.userName)),
          h('div', {}, h('dt', {}, 'Full name'), h('dd', {}, mapped.fullName)),
          h(
            'div',
            {},
            h('dt', {}, 'Email addresses'),
            h('dd', {}, mapped.emailAddresses.length > 0 ? mapped.emailAddresses.join(', ') : 'none'),
          ),
        )
      : '',
    mapped && Object.keys(mapped.attributes).length > 0
      ? scrollingTable('Mapped attributes', ['Field', 'Value'], attributeRows(mapped.attributes))
      : '',
    explanation.mappingFailed ? mappedView(explanation) : '',
    explanation.membership ? h('h4', {}, 'Groups and privileges by group') : '',
    explanation.membership
      ? h(
          'ul',
          { id: 'explain-membership' },
          ...membershipLines(explanation.membership).map((l) => h('li', {}, l)),
        )
      : '',
    h('h4', {}, 'User database'),
    h('p', { id: 'explain-current' }, currentRecordSentence(current, formatTime)),
  );
}
