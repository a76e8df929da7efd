// Text and links only: every string from the bot or the user reaches the DOM through
// textContent, and a link is made only when its scheme is on this list.
const SAFE_SCHEMES = ["http:", "https:", "mailto:", "tel:"];

/** Returns an absolute, safe href for `raw`, or null when the scheme is not allowed. */
export function safeHref(raw) {
  if (typeof raw !== "string") return null;
  const value = raw.trim();
  if (!value || /[\u0000-\u001f]/.test(value)) return null;
  let url;
  try {
    url = new URL(value, window.location.href);
  } catch (_error) {
    return null;
  }
  return SAFE_SCHEMES.includes(url.protocol) ? url.href : null;
}

/** True for links to the PDF files the portal generates (shown as download cards). */
export function isDownloadHref(href) {
  try {
    const url = new URL(href);
    return /\/api\/v1\/files\//.test(url.pathname) || /\.pdf$/i.test(url.pathname);
  } catch (_error) {
    return false;
  }
}

// [label](url) written by the bot's responses, and bare http(s) addresses.
const LINK_PATTERN = /\[([^\]\n]{1,200})\]\(([^)\s]{1,2000})\)|(https?:\/\/[^\s<>()]+[^\s<>().,;:!?»])/g;

/**
 * Splits a bot text into parts: {text} or {text, href}. Unsafe links stay plain text
 * (their label only), so a `javascript:` link is never clickable.
 */
export function splitLinks(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(LINK_PATTERN)) {
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    const label = match[1] !== undefined ? match[1] : match[3];
    const href = safeHref(match[1] !== undefined ? match[2] : match[3]);
    parts.push(href ? { text: label, href } : { text: label });
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
