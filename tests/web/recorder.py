"""A Rasa socket.io endpoint that records what it receives, for the browser tests.

It is the widget's Rasa channel (carpimko.channels.socketio.WebSocketIOInput, i.e. Rasa 3.6's
`SocketIOInput`: same parsing of `session_id` and `metadata` as the real server), mounted on a
bare Sanic app whose "bot" writes every UserMessage to a JSON-lines file and answers
« Message reçu. », or, for a message `echo:{json}`, sends that JSON as the bot message (so a
test can make the "bot" send links, buttons or files).
Run: python tests/web/recorder.py PORT OUTFILE
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOOutput
from sanic import Sanic

from carpimko.channels.socketio import WebSocketIOInput

ECHO = "echo:"


def main(port: int, out: Path) -> None:
    """Serves /socket.io (health: /webhooks/socketio/) on 127.0.0.1:port until killed."""
    channel = WebSocketIOInput(
        user_message_evt="user_uttered", bot_message_evt="bot_uttered", session_persistence=True
    )

    async def on_new_message(message: UserMessage) -> None:
        record = {
            "text": message.text,
            "sender_id": message.sender_id,
            "metadata": message.metadata,
        }
        with out.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        output = message.output_channel
        socket = getattr(output, "channel", output)  # the channel holds answers until turn end
        assert isinstance(socket, SocketIOOutput)
        if message.text and message.text.startswith(ECHO):  # the test chooses the bot message
            await socket._send_message(message.sender_id, json.loads(message.text[len(ECHO) :]))
        else:
            await output.send_text_message(message.sender_id, "Message reçu.")

    app = Sanic("socketio_recorder", configure_logging=False)
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/socketio")
    app.run(host="127.0.0.1", port=port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
