// The widget's DOM: a launcher button and a non-modal panel with the transcript
// (a role="log" region holding an ordered list of messages), a status line, the typing
// indicator and the form.
import { renderItem } from "./render.js";

function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

export const STATUS_TEXT = {
  connecting: "Connexion à l'assistant…",
  online: "",
  offline:
    "L'assistant est momentanément injoignable. Vérifiez votre connexion internet ; " +
    "nous réessayons automatiquement. Vous pouvez aussi appeler la CARPIMKO au " +
    "01 30 48 10 00 (du lundi au vendredi, de 8 h 45 à 12 h 45).",
};

/**
 * Builds the widget inside `root`; `onSend(text, payload)` sends a user message,
 * `onFile(file)` uploads a file chosen in a picker the bot showed.
 */
export function createUi(root, { title, onSend, onToggle, onFile }) {
  const launcher = el("button", {
    type: "button",
    class: "cw-launcher",
    "aria-expanded": "false",
    "aria-controls": "cw-panel",
  });
  launcher.append(el("span", { class: "cw-launcher-icon", "aria-hidden": "true" }, "?"));
  launcher.append(el("span", {}, "Une question ? Discuter avec l'assistant"));

  const panel = el("section", { id: "cw-panel", class: "cw-panel", "aria-labelledby": "cw-title" });
  panel.hidden = true;
  const header = el("div", { class: "cw-header" });
  header.append(el("h2", { id: "cw-title", class: "cw-title" }, title));
  // The visible word is part of the name (WCAG 2.5.3, label in name); the cross is decoration.
  const close = el("button", { type: "button", class: "cw-close" });
  close.append(
    el("span", { class: "cw-close-icon", "aria-hidden": "true" }, "×"),
    el("span", {}, "Fermer"),
    el("span", { class: "cw-sr" }, " la discussion"),
  );
  header.append(close);

  // The live region and the list are two elements: role="log" on the <ol> itself would
  // replace its list role, and its <li> would no longer be list items (axe: listitem).
  const log = el("div", {
    class: "cw-log",
    role: "log",
    "aria-live": "polite",
    "aria-relevant": "additions",
    "aria-label": "Conversation avec l'assistant",
    tabindex: "0",
  });
  const list = el("ol", { class: "cw-list" });
  log.append(list);
  const typing = el("p", { class: "cw-typing", "aria-live": "polite" });
  typing.hidden = true;
  const status = el("p", { class: "cw-status", role: "status" });

  const form = el("form", { class: "cw-form" });
  const label = el("label", { for: "cw-input", class: "cw-sr" }, "Votre message");
  const input = el("input", {
    id: "cw-input",
    class: "cw-input",
    type: "text",
    autocomplete: "off",
    maxlength: "1000",
    placeholder: "Écrivez votre question…",
  });
  const send = el("button", { type: "submit", class: "cw-send" }, "Envoyer");
  form.append(label, input, send);
  panel.append(header, log, typing, status, form);
  root.append(launcher, panel);

  function setOpen(open, { focus = true } = {}) {
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    launcher.hidden = open;
    onToggle(open);
    if (focus) (open ? input : launcher).focus();
    if (open) log.scrollTop = log.scrollHeight;
  }

  launcher.addEventListener("click", () => setOpen(true));
  close.addEventListener("click", () => setOpen(false));
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") setOpen(false);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text && onSend(text, text)) input.value = "";
    input.focus();
  });

  let typingTimer = null;
  return {
    setOpen,
    /** Appends an item; `onButton` sends the chosen quick reply. */
    append(item) {
      if (item.from === "user") {
        for (const button of log.querySelectorAll(".cw-reply, .cw-upload-input")) {
          button.disabled = true;
        }
      }
      const row = renderItem(
        item,
        (button) => {
          if (onSend(button.title, button.payload)) input.focus();
        },
        (file, picker) => {
          picker.disabled = true;
          onFile(file).then((sent) => {
            picker.disabled = sent;
            if (!sent) picker.value = "";
            input.focus();
          });
        },
      );
      list.append(row);
      log.scrollTop = log.scrollHeight;
    },
    disableOldReplies() {
      const rows = [...log.querySelectorAll(".cw-msg")];
      const lastUser = rows.map((r) => r.classList.contains("cw-user")).lastIndexOf(true);
      rows.slice(0, lastUser + 1).forEach((row) => {
        for (const button of row.querySelectorAll(".cw-reply, .cw-upload-input")) {
          button.disabled = true;
        }
      });
    },
    setTyping(on) {
      clearTimeout(typingTimer);
      typing.hidden = !on;
      typing.textContent = on ? "L'assistant écrit…" : "";
      // No "end of answer" event exists in the protocol: stop after a while anyway.
      if (on) typingTimer = setTimeout(() => this.setTyping(false), 15000);
    },
    /** A short notice in the status line (e.g. « Envoi du fichier… »); "" clears it. */
    setNotice(text) {
      status.textContent = text;
    },
    setStatus(state) {
      status.textContent = STATUS_TEXT[state] || "";
      status.dataset.state = state;
      panel.dataset.state = state;
    },
  };
}
