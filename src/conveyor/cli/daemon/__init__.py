"""The warm daemon and its thin client (docs/daemon.md).

`client` is the `conveyor` console script: it imports the standard library's lowest modules
only, hands a command to a running daemon of the same code, or runs it in this process.
`server` is the daemon (one thread; every module a command needs imported once); `child` is
what a forked child does to become the client's command; `wire` is what both sides share
(paths, the code's fingerprint, frames); `control` starts, stops and asks a daemon.
"""
