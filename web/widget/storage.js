// The conversation survives reloads and reconnections: the Rasa session id and the
// transcript live in sessionStorage (this tab only, gone when the tab is closed — on a
// shared computer the next person does not see it; logging out clears it too).
const MAX_ITEMS = 200;

function read(key, fallback) {
  try {
    const raw = window.sessionStorage.getItem(key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch (_error) {
    return fallback;
  }
}

function write(key, value) {
  try {
    window.sessionStorage.setItem(key, JSON.stringify(value));
  } catch (_error) {
    // Storage full or disabled: the conversation still works, it is just not kept.
  }
}

/** Storage of one conversation scope ("public" or "espace"), so the two never mix. */
export function createStore(scope) {
  const prefix = `carpimko-chat:${scope}:`;
  return {
    sessionId: () => read(`${prefix}session`, null),
    setSessionId: (id) => write(`${prefix}session`, id),
    items: () => read(`${prefix}items`, []),
    addItem(item) {
      const items = read(`${prefix}items`, []);
      items.push(item);
      write(`${prefix}items`, items.slice(-MAX_ITEMS));
    },
    isOpen: () => read(`${prefix}open`, false),
    setOpen: (open) => write(`${prefix}open`, Boolean(open)),
  };
}
