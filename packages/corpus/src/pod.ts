/**
 * Perl POD to plain paragraphs: command paragraphs (=head2 X) become headings, =item labels are kept,
 * verbatim (indented) paragraphs - code - are dropped, formatting codes keep their visible text.
 */
import { joinLines, normalizeWhitespace, paragraphs } from "./text.js";

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", verbar: "|", sol: "/", quot: '"', amp: "&", apos: "'" };

/** B<x>, C<< x >>, L<text|target>, E<gt>, ... to their text. Innermost codes are resolved first. */
export function stripPodCodes(s: string): string {
  // C<< $a->b >>: the body may hold bare < and >, so it is resolved on its own, not re-scanned.
  let t = s.replace(/([A-Z])<{2,}\s+([\s\S]*?)\s+>{2,}/g, (_m, code: string, body: string) => podCode(code, stripPodCodes(body)));
  for (let i = 0; i < 10; i++) {
    const next = t.replace(/([A-Z])<([^<>]*)>/g, (_m, code: string, body: string) => podCode(code, body));
    if (next === t) break;
    t = next;
  }
  return t;
}

function podCode(code: string, body: string): string {
  switch (code) {
    case "E":
      if (body in ENTITIES) return ENTITIES[body];
      if (/^\d+$/.test(body)) return String.fromCodePoint(Number(body));
      if (/^0x[\da-f]+$/i.test(body)) return String.fromCodePoint(parseInt(body, 16));
      return body;
    case "X":
    case "Z":
      return "";
    case "L": {
      // L<text|target> shows text; L<page/"section"> shows "page section".
      const bar = body.indexOf("|");
      if (bar >= 0) return body.slice(0, bar);
      return body.replace(/^"|"$/g, "").replace(/\/"?([^"]*)"?$/, (_x, sec: string) => ` ${sec}`).trim();
    }
    default:
      return body;
  }
}

export function podToParagraphs(src: string): string[] {
  const out: string[] = [];
  // .pod files are POD throughout until a =cut.
  let inPod = true;
  let skipBlock = false;
  for (const p of paragraphs(normalizeWhitespace(src))) {
    if (p.startsWith("=")) {
      const m = /^=(\w+)\s*([\s\S]*)$/.exec(p);
      const cmd = m?.[1] ?? "";
      const arg = joinLines(m?.[2] ?? "");
      if (cmd === "cut") inPod = false;
      else inPod = true;
      if (cmd === "begin") skipBlock = true;
      else if (cmd === "end") skipBlock = false;
      else if (/^(head\d|item)$/.test(cmd) && arg && arg !== "*" && !/^\d+\.?$/.test(arg)) out.push(stripPodCodes(arg));
      continue;
    }
    if (!inPod || skipBlock || /^[ \t]/.test(p)) continue;
    out.push(joinLines(stripPodCodes(p)));
  }
  return out.filter(Boolean);
}
