/**
 * Reads what a link-preview crawler reads from a page (workerd only, with its HTMLRewriter as the
 * parser): the `<meta>` tags in order, the `<link>`s, the title, and text or attributes of elements.
 */

export interface ParsedPage {
  html: string;
  /** [property or name, content] in document order. */
  meta: [string, string][];
  links: Record<string, string>[];
  title: string;
  /** Text of elements by id, trimmed. */
  text: Record<string, string>;
  /** Attributes of elements by id. */
  attributes: Record<string, Record<string, string>>;
}

/** An element's attributes (workerd's iterator of [name, value] pairs; the DOM typings see another `attributes`). */
function attributesOf(e: Element): Record<string, string> {
  return Object.fromEntries(e.attributes as unknown as Iterable<[string, string]>);
}

export async function parsePage(response: Response): Promise<ParsedPage> {
  const html = await response.text();
  const page: ParsedPage = { html, meta: [], links: [], title: '', text: {}, attributes: {} };
  let currentId: string | undefined;
  const rewriter = new HTMLRewriter()
    .on('meta', {
      element(e) {
        const key = e.getAttribute('property') ?? e.getAttribute('name');
        if (key) page.meta.push([key, e.getAttribute('content') ?? '']);
      },
    })
    .on('link', { element: (e) => void page.links.push(attributesOf(e)) })
    .on('title', { text: (t) => void (page.title += t.text) })
    .on('[id]', {
      element(e) {
        const id = e.getAttribute('id')!;
        currentId = id;
        page.attributes[id] = attributesOf(e);
        page.text[id] = '';
        if ((e as unknown as { canHaveContent: boolean }).canHaveContent) e.onEndTag(() => void (currentId = undefined));
      },
      text(t) {
        if (currentId) page.text[currentId] += t.text;
      },
    });
  await rewriter.transform(new Response(html)).text();
  // Whitespace between an element's end and its parent's next text can reach the element's entry.
  for (const id of Object.keys(page.text)) page.text[id] = page.text[id].trim();
  return page;
}

/** The one value of a meta tag; fails when it is missing or repeated (a repeated tag: first or last wins, by consumer). */
export function metaValue(page: ParsedPage, key: string): string {
  const values = page.meta.filter(([k]) => k === key).map(([, v]) => v);
  if (values.length !== 1) throw new Error(`${key}: ${values.length} tags`);
  return values[0];
}

/** Entities decoded as an HTML parser decodes an attribute value (lol-html hands them over as written). */
export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, name: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" })[name]!);
}
