import { test } from "node:test";
import assert from "node:assert/strict";
import { detokenize } from "../src/brown.js";
import { cleanEntry } from "../src/gcide.js";
import { commentBody, fileComments } from "../src/linux-comments.js";
import { podToParagraphs, stripPodCodes } from "../src/pod.js";
import { rstToParagraphs, stripInlineRst } from "../src/rst.js";
import { htmlToParagraphs } from "../src/html.js";
import { osisToText } from "../src/web-bible.js";
import { isProse, normalizeWhitespace, reflow } from "../src/text.js";

test("whitespace normalisation and reflow", () => {
  assert.equal(normalizeWhitespace("a\r\nb\u00a0c\t\n\n\n\nd  \n"), "a\nb c\n\nd");
  assert.equal(reflow("one\ntwo\n\n\nthree\n  four"), "one two\n\nthree four");
});

test("prose filter keeps sentences and rejects code and tables", () => {
  assert.ok(isProse("The kernel frees the page when the last reference is dropped."));
  assert.ok(!isProse("for (i = 0; i < n; i++) { x[i] = 0; }"));
  assert.ok(!isProse("0x0000 0x0001 0x0002 0x0003 0x0004"));
  assert.ok(!isProse("+------+------+------+"));
});

test("Brown tokens are re-joined into ordinary text", () => {
  assert.equal(detokenize(["``", "No", ",", "thanks", "''", ",", "he", "said", ";", ";", "fine", "."]), '"No, thanks," he said; fine.');
});

test("GCIDE markup is stripped", () => {
  const raw = 'Coagulate \\Co*ag"u*late\\, v. i.\n   To undergo {coagulation}. --Boyle.\n   [1913 Webster]\n\n   Syn: To thicken; clot.';
  assert.equal(cleanEntry(raw), "Coagulate, v. i. To undergo coagulation. --Boyle.\n\nSyn: To thicken; clot.");
});

test("C comments are found outside strings and lose their decoration", () => {
  const src = 'char *s = "/* not a comment */";\n/**\n * foo() - do a thing\n * @x: the thing\n */\n// one\n// two\nint y; // trailing\n';
  const cs = fileComments(src);
  assert.equal(cs.length, 3);
  assert.equal(commentBody(cs[0]), "foo() - do a thing\n@x: the thing");
  assert.equal(commentBody(cs[1]), "one\ntwo");
});

test("rst: roles, literal blocks, directives and adornments", () => {
  assert.equal(stripInlineRst("see :ref:`the docs <target>` and ``x`` or `link <http://a>`_ and **bold**"), "see the docs and x or link and bold");
  const src = [
    "Title", "=====", "", "Some text::", "", "    code here", "", ".. note::", "", "   A note.", "",
    ".. code-block:: c", "", "   int x;", "", ".. _label:", "", "- item one", "- item two", "",
  ].join("\n");
  assert.deepEqual(rstToParagraphs(src), ["Title", "Some text:", "A note.", "- item one", "- item two"]);
});

test("pod: codes, commands and verbatim blocks", () => {
  assert.equal(stripPodCodes("Use B<print> or C<< $a->b >> see L<perlfunc/open> and L<the FAQ|perlfaq> E<gt>"), "Use print or $a->b see perlfunc open and the FAQ >");
  assert.deepEqual(podToParagraphs("=head1 NAME\n\nfoo - bar\n\n    my $x = 1;\n\n=cut\n\nnot pod"), ["NAME", "foo - bar"]);
});

test("html: code, navigation and tags removed", () => {
  assert.deepEqual(htmlToParagraphs("<nav>menu</nav><h1>Title</h1><p>Some <em>text</em> &amp; more.</p><pre>code</pre>"), ["Title", "Some text & more."]);
});

test("OSIS: footnotes removed without gluing words, poetry lines kept", () => {
  assert.equal(osisToText('<w>God</w><note placement="foot">a note</note><w>created</w> it.'), "God created it.");
  assert.equal(osisToText('<lg sID="1"/><l sID="2"/>Line one,<l eID="2"/><l sID="3"/>line two.<lg eID="1"/>'), "Line one,\nline two.");
});
