// The Markdown subset's parse tree: markup in the model's text stays text.
import assert from "node:assert/strict";
import { test } from "node:test";

import { parse, parseInline } from "../../src/my_flow_api/web/static/markdown.js";

test("HTML in the text is a text node, never an element", () => {
  const html = '<img src=x onerror=alert(1)> <script>alert(2)</script>';
  assert.deepEqual(parse(html), [{ type: "p", lines: [[{ type: "text", text: html }]] }]);
});

test("inline code, bold, italic and http(s) links", () => {
  assert.deepEqual(parseInline("a `x<y>` **b** *c* [d](https://e.example/f)"), [
    { type: "text", text: "a " },
    { type: "code", text: "x<y>" },
    { type: "text", text: " " },
    { type: "strong", children: [{ type: "text", text: "b" }] },
    { type: "text", text: " " },
    { type: "em", children: [{ type: "text", text: "c" }] },
    { type: "text", text: " " },
    { type: "link", href: "https://e.example/f", children: [{ type: "text", text: "d" }] },
  ]);
});

test("a javascript: link stays text", () => {
  const nodes = parseInline("[x](javascript:alert(1))");
  assert.ok(nodes.every((node) => node.type === "text"));
});

test("blocks: heading, lists, fenced code, paragraphs with line breaks", () => {
  const blocks = parse("# Plan\n- one\n- two\n1. first\n\n```\n<b>raw</b>\n```\nline a\nline b");
  assert.deepEqual(blocks.map((b) => b.type), ["heading", "ul", "ol", "code", "p"]);
  assert.equal(blocks[1].items.length, 2);
  assert.equal(blocks[3].text, "<b>raw</b>");
  assert.equal(blocks[4].lines.length, 2);
});

test("an unclosed fence (mid-stream) holds the rest as code", () => {
  const blocks = parse("Here:\n```\ncode so far");
  assert.deepEqual(blocks.map((b) => b.type), ["p", "code"]);
  assert.equal(blocks[1].text, "code so far");
});
