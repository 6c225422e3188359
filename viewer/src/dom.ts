/**
 * The page's only way to build elements. Strings become text nodes, never markup: there is no HTML
 * sink here, and the Trusted Types CSP makes any other one throw.
 *
 * Example: `el('li', { className: 'row' }, [el('span', {}, [label]), '42 %'])`.
 */

type Props<K extends keyof HTMLElementTagNameMap> = Partial<Omit<HTMLElementTagNameMap[K], 'style' | 'innerHTML' | 'outerHTML'>> & {
  /** Attributes set with setAttribute (aria-*, data-*, role). */
  attrs?: Record<string, string>;
};

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props<K> = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  const { attrs, ...properties } = props;
  Object.assign(element, properties);
  for (const [name, value] of Object.entries(attrs ?? {})) element.setAttribute(name, value);
  // replaceChildren, not append: the Workers types in this project's tsconfig redeclare Element.append.
  // Only with children: it would also clear a `textContent` given in props.
  if (children.length > 0) element.replaceChildren(...children);
  return element;
}

/** The element with this id, typed; throws when the page lacks it (a build mismatch, not a user error). */
export function byId<T extends Node>(id: string, type: abstract new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the page has no <${type.name}> #${id}`);
  return element;
}
