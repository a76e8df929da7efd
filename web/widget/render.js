// Builds the DOM of one transcript item. Only createElement + textContent: no HTML
// string from the bot or the user is ever parsed.
import { isDownloadHref, safeHref, splitLinks } from "./safe.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function link(href, label) {
  const anchor = el("a", "cw-link", label);
  anchor.href = href;
  anchor.rel = "noopener noreferrer";
  if (!href.startsWith("mailto:") && !href.startsWith("tel:")) {
    anchor.target = "_blank";
    anchor.append(el("span", "cw-sr", " (nouvel onglet)"));
  }
  return anchor;
}

/** A download card for a PDF the portal generated (title, format, button-like link). */
export function downloadCard(href, title) {
  const card = el("div", "cw-card");
  card.append(el("span", "cw-card-icon", "PDF"));
  const body = el("div", "cw-card-body");
  body.append(el("p", "cw-card-title", title || "Document PDF"));
  // The name starts with the visible words (WCAG 2.5.3) and adds the title for screen readers.
  const anchor = el("a", "cw-card-link", "Télécharger le PDF");
  anchor.append(el("span", "cw-sr", ` : ${title || "document"}`));
  anchor.href = href;
  anchor.rel = "noopener noreferrer";
  anchor.setAttribute("download", "");
  body.append(anchor);
  card.append(body);
  return card;
}

/** Text with its safe links; links to portal PDFs also get a download card below. */
function richText(text) {
  const wrapper = el("div", "cw-text");
  const cards = [];
  for (const part of splitLinks(text)) {
    if (!part.href) {
      wrapper.append(document.createTextNode(part.text));
    } else {
      wrapper.append(link(part.href, part.text));
      if (isDownloadHref(part.href)) cards.push(downloadCard(part.href, part.text));
    }
  }
  return [wrapper, ...cards];
}

/** Attachment or custom payload that carries a file: {title, url|src|download_url}. */
export function fileFromMessage(message) {
  const custom = message.download || (message.custom && message.custom.download);
  const attachment = message.attachment;
  const payload =
    custom ||
    (attachment && ["file", "download", "pdf"].includes(attachment.type) && attachment.payload);
  if (!payload) return null;
  const href = safeHref(payload.url || payload.src || payload.download_url);
  return href ? { href, title: String(payload.title || payload.name || "Document PDF") } : null;
}

let pickerCount = 0;

/**
 * A file picker asked for by the bot (custom payload {upload: {label, accept}}): a native
 * <input type="file"> with a visible French label, reachable and usable with the keyboard.
 * `onFile(file, input)` is called with the chosen file.
 */
export function uploadPicker(upload, onFile) {
  pickerCount += 1;
  const id = `cw-file-${pickerCount}`;
  const box = el("div", "cw-upload");
  const label = el("label", "cw-upload-label", upload.label);
  label.htmlFor = id;
  const input = el("input", "cw-upload-input");
  input.type = "file";
  input.id = id;
  input.accept = upload.accept;
  const hint = el("p", "cw-upload-hint", "Formats acceptés : PDF, JPG, JPEG, PNG.");
  hint.id = `${id}-hint`;
  input.setAttribute("aria-describedby", hint.id);
  input.addEventListener("change", () => {
    if (input.files && input.files[0]) onFile(input.files[0], input);
  });
  box.append(label, input, hint);
  return box;
}

/** The picker of a bot message, if it asks for a file. */
export function uploadFromMessage(message) {
  const custom = message.custom && (message.custom.data || message.custom);
  const upload = message.upload || (custom && custom.upload);
  if (!upload || typeof upload !== "object") return null;
  const label = typeof upload.label === "string" && upload.label ? upload.label : "Choisir un fichier";
  const accept = typeof upload.accept === "string" ? upload.accept : ".pdf,.jpg,.jpeg,.png";
  return { label: label.slice(0, 120), accept: accept.slice(0, 200) };
}

/**
 * One item of the transcript: {from: "bot"|"user", text?, buttons?, file?, image?, upload?}.
 * `onButton(button)` is called when a quick reply is chosen, `onFile(file, input)` when a
 * file is chosen in a picker.
 */
export function renderItem(item, onButton, onFile) {
  const row = el("li", `cw-msg cw-${item.from}`);
  row.append(el("span", "cw-sr", item.from === "user" ? "Vous : " : "Assistant : "));
  const bubble = el("div", "cw-bubble");
  if (item.text) bubble.append(...(item.from === "bot" ? richText(item.text) : [el("div", "cw-text", item.text)]));
  if (item.file) bubble.append(downloadCard(item.file.href, item.file.title));
  if (item.image) {
    const img = el("img", "cw-image");
    img.src = item.image;
    img.alt = "Image envoyée par l'assistant";
    bubble.append(img);
  }
  row.append(bubble);
  if (item.upload) row.append(uploadPicker(item.upload, onFile || (() => {})));
  if (item.buttons && item.buttons.length) {
    const group = el("div", "cw-replies");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Réponses proposées");
    for (const button of item.buttons) {
      const node = el("button", "cw-reply", button.title);
      node.type = "button";
      node.addEventListener("click", () => onButton(button));
      group.append(node);
    }
    row.append(group);
  }
  return row;
}

/** Normalises a bot_uttered payload into a transcript item (or null if nothing to show). */
export function itemFromBot(message) {
  const item = { from: "bot" };
  if (typeof message.text === "string" && message.text.trim()) item.text = message.text;
  const replies = message.quick_replies || message.buttons;
  if (Array.isArray(replies)) {
    item.buttons = replies
      .filter((b) => b && typeof b.title === "string")
      .map((b) => ({ title: b.title, payload: typeof b.payload === "string" ? b.payload : b.title }))
      .slice(0, 12);
  }
  const file = fileFromMessage(message);
  if (file) item.file = file;
  const upload = uploadFromMessage(message);
  if (upload) item.upload = upload;
  const attachment = message.attachment;
  if (attachment && attachment.type === "image" && attachment.payload) {
    const src = safeHref(attachment.payload.src);
    if (src && /^https?:/.test(src)) item.image = src;
  }
  return item.text || item.buttons || item.file || item.image || item.upload ? item : null;
}
