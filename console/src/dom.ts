/** A tiny element builder: the console is plain DOM, and this keeps building it readable. */

export type Child = Node | string | number | false | null | undefined | readonly Child[];

type Listener = (event: Event) => void;

/** Attributes by name; `on<event>` entries are listeners; `true` sets a boolean attribute, false/undefined omits it. */
export type Props = Readonly<Record<string, string | number | boolean | null | undefined | Listener>>;

export function append(parent: Node, ...children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, ...(child as readonly Child[]));
    else if (child instanceof Node) parent.appendChild(child);
    else parent.appendChild(document.createTextNode(String(child)));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: readonly Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

/** Replaces an element's children. */
export function replaceChildren(parent: Element, ...children: readonly Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** A table that scrolls sideways on a narrow window instead of widening the page; focusable to scroll by keys. */
/** A page's heading: the target of the focus when the page opens (see main.ts). */
export const pageHeading = (title: string): HTMLElement =>
  h('h1', { id: 'page-heading', tabindex: -1 }, title);

/** Lists draw at most this many rows; the status says how many match, and a search narrows the list. */
const MAX_ROWS = 500;

/**
 * Draws the rows that match into `body` (at most MAX_ROWS, in a scrolling table; nothing when none match)
 * and says in `status` how many are shown, of how many matching (`total` describes all of them). True when
 * rows were left out.
 */
export function drawMatchingRows<T>(
  { status, body }: { readonly status: HTMLElement; readonly body: HTMLElement },
  table: { readonly label: string; readonly headers: readonly string[]; readonly toRow: (row: T) => Node },
  rows: readonly T[],
  total: string,
): boolean {
  status.textContent = `Showing ${Math.min(rows.length, MAX_ROWS)} of ${rows.length} matching (${total})`;
  replaceChildren(
    body,
    rows.length === 0
      ? ''
      : scrollingTable(table.label, table.headers, rows.slice(0, MAX_ROWS).map(table.toRow)),
  );
  return rows.length > MAX_ROWS;
}

export function scrollingTable(
  label: string,
  headers: readonly string[],
  rows: readonly Node[],
): HTMLElement {
  return h(
    'div',
    { class: 'table-scroll', role: 'region', 'aria-label': label, tabindex: 0 },
    h(
      'table',
      {},
      h('caption', { class: 'visually-hidden' }, label),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headers.map((header) => h('th', { scope: 'col' }, header)),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

/** Says something to screen readers without moving focus. */
export function announce(message: string): void {
  const announcer = document.getElementById('announcer');
  if (!announcer) return;
  announcer.textContent = '';
  // A new text node in a later task is what makes screen readers repeat an identical message.
  setTimeout(() => {
    announcer.textContent = message;
  }, 50);
}

/** `3 s`, `850 ms`. */
export const formatMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms} ms`);

export const formatTime = (iso: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
};
