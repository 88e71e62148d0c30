/**
 * HTML to plain paragraphs for generated documentation pages. Code (<pre>), scripts, styles and navigation
 * are dropped; block elements become paragraph breaks; inline elements keep their text.
 */
import { decodeEntities, joinLines, paragraphs } from "./text.js";

const BLOCK = /<\/?(p|div|h[1-6]|li|ul|ol|dl|dt|dd|tr|td|th|table|thead|tbody|blockquote|section|article|header|footer|br|hr|figure|figcaption|details|summary)\b[^>]*>/gi;

export function htmlToParagraphs(html: string): string[] {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(script|style|pre|nav|noscript|svg|button|template)\b[^>]*>[\s\S]*?<\/\1>/gi, "\n\n")
    .replace(BLOCK, "\n\n")
    .replace(/<[^>]*>/g, "");
  return paragraphs(decodeEntities(text)).map(joinLines).filter(Boolean);
}

/** The inner HTML of the first <tag>...</tag>, or null. */
export function innerOf(html: string, tag: string): string | null {
  const m = new RegExp(`<${tag}\\b[^>]*>([\\s\\S]*)</${tag}>`, "i").exec(html);
  return m ? m[1] : null;
}
