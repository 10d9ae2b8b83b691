/**
 * The fields of the Directory Services form: a labelled control with its hint and its error line, tied
 * together with aria-describedby, and the error shown at a field (or cleared).
 */
import type { FormField } from '../../config-form';
import { type Child, h } from '../../dom';

export const fieldId = (name: FormField): string => `field-${name}`;

/** A labelled control with its hint and an error line, tied together with aria-describedby. */
export function field(
  name: FormField,
  label: Child,
  control: HTMLElement,
  options: { hint?: string; after?: Child; kind?: 'check' } = {},
): HTMLElement {
  control.id = fieldId(name);
  const hintId = options.hint ? `${fieldId(name)}-hint` : undefined;
  // What describes the control without an error; an error goes in front of it (see setFieldError).
  const described = [control.getAttribute('aria-describedby'), hintId].filter(Boolean).join(' ');
  control.dataset.describedby = described;
  if (described) control.setAttribute('aria-describedby', described);
  // A button is named by its own text ("Add groups…"); the field's name is a heading-like line above it.
  const labelElement =
    control instanceof HTMLButtonElement
      ? h('span', { class: 'field-label', id: `${fieldId(name)}-label` }, label)
      : h('label', { for: control.id }, label);
  const hint = options.hint && h('p', { class: 'hint', id: hintId }, options.hint);
  const error = h('p', { class: 'field-error', id: `${fieldId(name)}-error`, hidden: true });
  return options.kind === 'check'
    ? h('div', { class: 'field check', 'data-field': name }, control, labelElement, hint, error)
    : h('div', { class: 'field', 'data-field': name }, labelElement, hint, error, control, options.after);
}

/** Shows (or with undefined, clears) the error of one field. */
export function setFieldError(name: FormField, message: string | undefined): void {
  const control = document.getElementById(fieldId(name));
  const error = document.getElementById(`${fieldId(name)}-error`);
  if (!control || !error) return;
  const described = control.dataset.describedby ?? '';
  if (message) {
    error.textContent = message;
    error.hidden = false;
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', [error.id, described].filter(Boolean).join(' '));
  } else {
    error.textContent = '';
    error.hidden = true;
    control.removeAttribute('aria-invalid');
    if (described) control.setAttribute('aria-describedby', described);
    else control.removeAttribute('aria-describedby');
  }
}

export function focusField(name: FormField): void {
  const control = document.getElementById(fieldId(name));
  control?.scrollIntoView({ block: 'center' });
  control?.focus();
}
