"""Per-stream state: numbered events in a log that HTTP responses read from.

Generation runs as a server-side task that writes into the log; a response is only a
reader. That split is what lets a stream survive a disconnect, be stopped, and be resumed.
"""
