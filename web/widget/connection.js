// Rasa 3.6 socket.io protocol (rasa/core/channels/socketio.py):
//   client -> session_request {session_id}     server -> session_confirm <session_id>
//   client -> user_uttered {message, session_id, metadata}
//   server -> bot_uttered {text | quick_replies | attachment | custom data}
// Several Rasa instances (docs/scaling.md): every socket.io request carries ?sender=<session id>
// so that nginx sends the whole conversation to one instance; each message carries
// metadata.message_id so that a message resent after a reconnection is processed only once.
import { io } from "socket.io-client";

function newId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID().replace(/-/g, "");
  }
  let id = "";
  for (let i = 0; i < 32; i += 1) id += Math.floor(Math.random() * 16).toString(16);
  return id;
}

/**
 * Connects to the Rasa server and keeps the same session id across reconnections.
 * `handlers`: onStatus("connecting"|"online"|"offline"), onBotMessage(message).
 */
export function createConnection({ url, path, store, token, handlers }) {
  // The session id is chosen here, not by the server: nginx routes on it from the first request.
  let sessionId = store.sessionId();
  if (typeof sessionId !== "string" || !sessionId) {
    sessionId = newId();
    store.setSessionId(sessionId);
  }
  const socket = io(url, {
    path,
    query: { sender: sessionId },
    // WebSocket first; long-polling when a proxy blocks WebSockets.
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10000,
    timeout: 8000,
  });
  let confirmed = false;
  const pending = [];
  // The last message sent and not yet answered: sent again (same id) after a reconnection,
  // e.g. when the Rasa instance that had it stopped; the server answers it only once.
  let unanswered = null;
  let sequence = 0;
  const prefix = newId().slice(0, 12);

  function flush() {
    while (confirmed && pending.length) {
      sequence += 1;
      const metadata = { message_id: `${prefix}-${sequence}` };
      // The portal session token travels with every message so the bot side can
      // call the portal as this user (docs/web.md, « Transmission du jeton »).
      if (token) metadata.portal_token = token;
      unanswered = { message: pending.shift(), session_id: sessionId, metadata };
      socket.emit("user_uttered", unanswered);
    }
  }

  socket.on("connect", () => {
    confirmed = false;
    socket.emit("session_request", { session_id: sessionId });
  });
  socket.on("session_confirm", (id) => {
    const value = typeof id === "string" ? id : id && id.session_id;
    if (typeof value === "string" && value) {
      sessionId = value;
      store.setSessionId(value);
    }
    confirmed = true;
    handlers.onStatus("online");
    if (unanswered) socket.emit("user_uttered", { ...unanswered, session_id: sessionId });
    flush();
  });
  socket.on("connect_error", () => handlers.onStatus("offline"));
  socket.on("disconnect", () => {
    confirmed = false;
    handlers.onStatus("offline");
  });
  socket.on("bot_uttered", (message) => {
    unanswered = null;
    handlers.onBotMessage(message || {});
  });
  handlers.onStatus("connecting");

  return {
    /** False when the server cannot be reached: the caller tells the user and keeps the text. */
    isOnline: () => socket.connected,
    send(message) {
      pending.push(message);
      flush();
    },
  };
}
