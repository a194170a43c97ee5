// Building DOM nodes without HTML strings: attributes are set one by one and text goes
// in as text nodes, so nothing shown on the page is ever parsed as markup.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

export function $(selector) {
  return document.querySelector(selector);
}

export function clear(el) {
  el.replaceChildren();
}

// Show a sentence in a live region (screen readers announce it).
export function say(el, text) {
  el.textContent = text;
  el.hidden = !text;
}
