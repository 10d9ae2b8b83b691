/**
 * Draws the banners (banners.ts) above the page: each a labelled region with its words, a link to the run
 * in Runs, and for withheld deletes the button that applies them once (on Synchronize now, which follows the
 * run). Drawn again after every page change and every sync.
 */
import type { AppState } from './app-state';
import { type Banner, bannersOf } from './banners';
import { h, replaceChildren } from './dom';

function bannerElement(state: AppState, banner: Banner): HTMLElement {
  const headingId = `banner-${banner.kind}-heading`;
  const { approval } = banner;
  return h(
    'section',
    {
      class: `alert alert-${banner.tone} banner`,
      id: `banner-${banner.kind}`,
      'aria-labelledby': headingId,
    },
    h('h2', { id: headingId }, banner.title),
    h('p', {}, banner.text),
    h(
      'div',
      { class: 'actions' },
      approval
        ? h(
            'button',
            {
              type: 'button',
              class: 'danger',
              onclick: () => {
                state.pendingApproval = { runId: approval.runId, deletes: approval.deletes };
                state.navigate('sync');
              },
            },
            approval.label,
          )
        : '',
      banner.runId ? h('a', { href: '#/runs' }, `Run ${banner.runId} in Runs`) : '',
    ),
  );
}

/** Asks the API for the history and draws its banners into `container` (nothing when all is well). */
export async function renderBanners(state: AppState, container: HTMLElement): Promise<void> {
  const history = await state.api.listRuns().catch(() => undefined);
  if (!history) return;
  const banners = bannersOf(history);
  replaceChildren(
    container,
    banners.map((banner) => bannerElement(state, banner)),
  );
  container.hidden = banners.length === 0;
}
