"""The kernel connection the course's Jupyter server uses: messages to the browser without delay.

Jupyter Server relays a kernel's messages to the browser over a WebSocket whose TCP socket
keeps Nagle's algorithm on. A widget update is a burst of small messages (busy, the update,
its echo, idle); with Nagle, every one after the first waits until the browser acknowledges
the first, and browsers delay that acknowledgement by up to 40 ms. On loopback this turned a
15 ms round trip (button -> kernel -> label) into 40-50 ms for about half of the changes
(bench/bench_labs_browser.py, docs/labs.md). Setting TCP_NODELAY on the socket, as latency-
sensitive WebSocket servers do, removes that wait; large frames are not affected.

Used through the server's own option for it (deploy/jupyter/student/jupyter_server_config.d)::

    c.ServerApp.kernel_websocket_connection_class = "nnlib.labs.server.NoDelayKernelConnection"
"""
from __future__ import annotations

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

__all__ = ["NoDelayKernelConnection"]


class NoDelayKernelConnection(ZMQChannelsWebsocketConnection):
    """Jupyter Server's ZMQ <-> WebSocket kernel connection, with TCP_NODELAY on its socket."""

    def connect(self):
        # the handler's stream exists once the WebSocket is open, which is when connect() runs
        self.websocket_handler.set_nodelay(True)
        return super().connect()
