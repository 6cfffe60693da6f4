"""Live updates over Socket.IO: the server, the emitter port and the pipeline hooks."""
