/**
 * What the embed page tells the page that frames it, by `postMessage` (the frame's own height follows
 * its width: the image fills it at its aspect ratio):
 *
 * - With WordPress's `#?secret=…` in the URL (wp-includes/js/wp-embed.js): `{ secret, message: 'height',
 *   value }` on every change, and `{ secret, message: 'link', value: url }` to open the viewer in the top
 *   window (a sandboxed frame may not open it itself).
 * - Otherwise, the generic shape: `{ type: 'gradcam:resize', id, height }` (height in CSS pixels).
 *
 * @example
 *   window.addEventListener('message', (e) => { if (e.data?.type === 'gradcam:resize') frame.style.height = `${e.data.height}px`; });
 */

export const RESIZE_MESSAGE_TYPE = 'gradcam:resize';

export type EmbedMessage =
  | { type: typeof RESIZE_MESSAGE_TYPE; id: string; height: number }
  | { secret: string; message: 'height'; value: number }
  | { secret: string; message: 'link'; value: string };

/** WordPress's secret from a fragment like `#?secret=abc123` (wp-embed.js appends it to the frame's src). */
export function wordPressSecret(hash: string): string | undefined {
  const secret = new URLSearchParams(hash.replace(/^#\??/, '')).get('secret');
  return secret && /^[A-Za-z0-9]+$/.test(secret) ? secret : undefined;
}

export function heightMessage(id: string, height: number, secret: string | undefined): EmbedMessage {
  return secret ? { secret, message: 'height', value: height } : { type: RESIZE_MESSAGE_TYPE, id, height };
}

/**
 * Posts the height `width × aspect` to the parent now and whenever the frame's width changes (once
 * per animation frame at most, and only when the value changes).
 */
export function reportHeight(id: string, aspect: () => number | undefined, secret = wordPressSecret(location.hash)): void {
  if (window.parent === window) return;
  let sent: number | undefined;
  let pending = false;
  const send = () => {
    pending = false;
    const ratio = aspect();
    if (!ratio) return;
    const height = Math.ceil(document.documentElement.clientWidth * ratio);
    if (height === sent) return;
    sent = height;
    // '*': the host's origin is unknown, and a height tells it nothing private.
    window.parent.postMessage(heightMessage(id, height, secret), '*');
  };
  const schedule = () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(send);
  };
  new ResizeObserver(schedule).observe(document.documentElement);
  schedule();
}

/** In WordPress, a click on the viewer link asks the host to navigate (the sandbox allows no popups). */
export function openLinksThroughWordPress(link: HTMLAnchorElement, secret = wordPressSecret(location.hash)): void {
  if (!secret || window.parent === window) return;
  link.addEventListener('click', (event) => {
    event.preventDefault();
    window.parent.postMessage({ secret, message: 'link', value: link.href } satisfies EmbedMessage, '*');
  });
}
