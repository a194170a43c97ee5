// A small Markdown subset for the model's answers, inert by construction.
// `parse` turns text into a tree of plain objects; `render` builds DOM nodes from it with
// createElement and text nodes only. No string of the model's output is ever parsed as
// HTML, so `<img src=x onerror=...>` is shown as the characters it is.
// Covered: paragraphs, line breaks, # headings, - and 1. lists, ``` fences, `code`,
// **bold**, *italic*, and [links](https://...) to http(s) addresses only.

const FENCE = /^```/;
const HEADING = /^(#{1,3})\s+(.*)$/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const NUMBERED = /^\s*\d{1,9}[.)]\s+(.*)$/;
const INLINE = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g;

export function parseInline(text) {
  const nodes = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) nodes.push({ type: "text", text: text.slice(last, m.index) });
    if (m[1] !== undefined) nodes.push({ type: "code", text: m[1] });
    else if (m[2] !== undefined) nodes.push({ type: "strong", children: parseInline(m[2]) });
    else if (m[3] !== undefined) nodes.push({ type: "em", children: parseInline(m[3]) });
    else nodes.push({ type: "link", href: m[5], children: [{ type: "text", text: m[4] }] });
    last = m.index + m[0].length;
  }
  if (last < text.length) nodes.push({ type: "text", text: text.slice(last) });
  return nodes;
}

function listKind(line) {
  if (BULLET.test(line)) return "ul";
  if (NUMBERED.test(line)) return "ol";
  return null;
}

export function parse(text) {
  const lines = text.split("\n");
  const blocks = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (FENCE.test(line)) {
      const body = [];
      for (i += 1; i < lines.length && !FENCE.test(lines[i]); i += 1) body.push(lines[i]);
      blocks.push({ type: "code", text: body.join("\n") });
      i += 1;
    } else if (HEADING.test(line)) {
      const [, hashes, rest] = line.match(HEADING);
      blocks.push({ type: "heading", level: hashes.length, children: parseInline(rest) });
      i += 1;
    } else if (listKind(line)) {
      const kind = listKind(line);
      const items = [];
      for (; i < lines.length && listKind(lines[i]) === kind; i += 1) {
        const pattern = kind === "ul" ? BULLET : NUMBERED;
        items.push(parseInline(lines[i].match(pattern)[1]));
      }
      blocks.push({ type: kind, items });
    } else if (line.trim() === "") {
      i += 1;
    } else {
      const para = [];
      for (; i < lines.length && isParagraphLine(lines[i]); i += 1) para.push(lines[i]);
      blocks.push({ type: "p", lines: para.map(parseInline) });
    }
  }
  return blocks;
}

function isParagraphLine(line) {
  return line.trim() !== "" && !FENCE.test(line) && !HEADING.test(line) && !listKind(line);
}

function inlineNodes(doc, nodes) {
  const fragment = doc.createDocumentFragment();
  for (const node of nodes) {
    if (node.type === "text") {
      fragment.append(doc.createTextNode(node.text));
    } else if (node.type === "code") {
      const code = doc.createElement("code");
      code.textContent = node.text;
      fragment.append(code);
    } else {
      const tag = { strong: "strong", em: "em", link: "a" }[node.type];
      const el = doc.createElement(tag);
      if (node.type === "link") {
        el.href = node.href;
        el.rel = "noopener noreferrer nofollow";
        el.target = "_blank";
      }
      el.append(inlineNodes(doc, node.children));
      fragment.append(el);
    }
  }
  return fragment;
}

export function render(doc, text) {
  const fragment = doc.createDocumentFragment();
  for (const block of parse(text)) {
    let el;
    if (block.type === "code") {
      el = doc.createElement("pre");
      const code = doc.createElement("code");
      code.textContent = block.text;
      el.append(code);
    } else if (block.type === "heading") {
      el = doc.createElement(`h${block.level + 2}`);
      el.append(inlineNodes(doc, block.children));
    } else if (block.type === "ul" || block.type === "ol") {
      el = doc.createElement(block.type);
      for (const item of block.items) {
        const li = doc.createElement("li");
        li.append(inlineNodes(doc, item));
        el.append(li);
      }
    } else {
      el = doc.createElement("p");
      block.lines.forEach((line, n) => {
        if (n > 0) el.append(doc.createElement("br"));
        el.append(inlineNodes(doc, line));
      });
    }
    fragment.append(el);
  }
  return fragment;
}
