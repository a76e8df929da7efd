// Rasa 3.6 socket.io protocol (rasa/core/channels/socketio.py):
//   client -> session_request {session_id}     server -> session_confirm <session_id>
//   client -> user_uttered {message, session_id, metadata}
//   server -> bot_uttered {text | quick_replies | attachment | custom data}
import { io } from "socket.io-client";

/**
 * Connects to the Rasa server and keeps the same session id across reconnections.
 * `handlers`: onStatus("connecting"|"online"|"offline"), onBotMessage(message).
 */
export function createConnection({ url, path, store, token, handlers }) {
  const socket = io(url, {
    path,
    // WebSocket first; long-polling when a proxy blocks WebSockets.
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10000,
    timeout: 8000,
  });
  let sessionId = store.sessionId();
  let confirmed = false;
  const pending = [];

  function flush() {
    while (confirmed && pending.length) {
      const payload = { message: pending.shift(), session_id: sessionId };
      // The portal session token travels with every message so the bot side can
      // call the portal as this user (docs/web.md, « Transmission du jeton »).
      if (token) payload.metadata = { portal_token: token };
      socket.emit("user_uttered", payload);
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
    flush();
  });
  socket.on("connect_error", () => handlers.onStatus("offline"));
  socket.on("disconnect", () => {
    confirmed = false;
    handlers.onStatus("offline");
  });
  socket.on("bot_uttered", (message) => handlers.onBotMessage(message || {}));
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
