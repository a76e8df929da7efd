// Entry point: mounts the chat widget on <div id="carpimko-chat" data-server=…>.
// Data attributes: data-server (Rasa base URL), data-path (socket.io path),
// data-scope ("public" | "espace"), data-token (portal session token, logged-in page only),
// data-title.
import { createConnection } from "./connection.js";
import { itemFromBot } from "./render.js";
import { createStore } from "./storage.js";
import { createUi } from "./ui.js";

function mount(root) {
  const scope = root.dataset.scope === "espace" ? "espace" : "public";
  const store = createStore(scope);
  let connection = null;

  const ui = createUi(root, {
    title: root.dataset.title || "Assistant CARPIMKO",
    onToggle: (open) => store.setOpen(open),
    onSend(text, payload) {
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
    },
  });

  for (const item of store.items()) ui.append(item);
  ui.disableOldReplies();
  if (store.isOpen()) ui.setOpen(true, { focus: false });

  connection = createConnection({
    url: root.dataset.server || window.location.origin,
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
