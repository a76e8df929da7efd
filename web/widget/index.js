// Entry point: mounts the chat widget on <div id="carpimko-chat" data-server=…>.
// Data attributes: data-server (Rasa base URL), data-path (socket.io path),
// data-scope ("public" | "espace"), data-token (portal session token, logged-in page only),
// data-title.
import { createConnection } from "./connection.js";
import { itemFromBot } from "./render.js";
import { createStore } from "./storage.js";
import { createUi } from "./ui.js";

// Why a file was refused, told to the bot (which explains it in its own words).
const UPLOAD_ERRORS = { 413: "taille", 415: "format" };

/** Sends `file` to the site; resolves to {id} or {error: "format"|"taille"|"autre"}. */
async function uploadFile(url, file) {
  const form = new FormData();
  form.append("file", file, file.name);
  try {
    const response = await fetch(url, { method: "POST", body: form, credentials: "same-origin" });
    const body = await response.json().catch(() => ({}));
    if (response.status === 201 && body && /^[0-9a-f]{32}$/.test(body.upload_id)) {
      return { id: body.upload_id };
    }
    return { error: UPLOAD_ERRORS[response.status] || "autre" };
  } catch (_error) {
    return { error: "autre" };
  }
}

/**
 * The Rasa URL the widget connects to: on an https page, an http:// server is reached over
 * https:// (socket.io then uses wss://), so the portal token in each message never travels in
 * clear (and the browser would block mixed content anyway).
 */
export function secureServer(url, pageProtocol) {
  return pageProtocol === "https:" && /^http:\/\//i.test(url) ? `https://${url.slice(7)}` : url;
}

function mount(root) {
  const scope = root.dataset.scope === "espace" ? "espace" : "public";
  const store = createStore(scope);
  let connection = null;

  let ui = null;
  function onSendItem(text, payload) {
    if (!connection || !connection.isOnline()) {
      ui.setStatus("offline");
      return false;
    }
    const item = { from: "user", text };
    store.addItem(item);
    ui.append(item);
    ui.setTyping(true);
    connection.send(payload);
    return true;
  }

  ui = createUi(root, {
    title: root.dataset.title || "Assistant CARPIMKO",
    onToggle: (open) => store.setOpen(open),
    async onFile(file) {
      const url = root.dataset.upload;
      if (!connection || !connection.isOnline()) {
        ui.setStatus("offline");
        return false;
      }
      ui.setNotice("Envoi du fichier…");
      const result = url ? await uploadFile(url, file) : { error: "autre" };
      ui.setNotice("");
      const name = String(file.name || "fichier").slice(0, 100);
      const entity = result.id ? { upload_id: result.id } : { upload_error: result.error };
      const text = result.id ? `Fichier joint : ${name}` : `Fichier refusé : ${name}`;
      return onSendItem(text, `/inform${JSON.stringify(entity)}`) && Boolean(result.id);
    },
    onSend: onSendItem,
  });

  for (const item of store.items()) ui.append(item);
  ui.disableOldReplies();
  if (store.isOpen()) ui.setOpen(true, { focus: false });

  connection = createConnection({
    url: secureServer(root.dataset.server || window.location.origin, window.location.protocol),
    path: root.dataset.path || "/socket.io",
    store,
    token: root.dataset.token || "",
    handlers: {
      onStatus: (state) => ui.setStatus(state),
      onBotMessage(message) {
        const item = itemFromBot(message);
        ui.setTyping(false);
        if (!item) return;
        store.addItem(item);
        ui.append(item);
      },
    },
  });
  root.dataset.ready = "true";
}

const root = document.getElementById("carpimko-chat");
if (root) mount(root);
