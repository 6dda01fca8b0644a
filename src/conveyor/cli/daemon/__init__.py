"""The warm daemon and its thin client (docs/daemon.md).

`client` is the `conveyor` console script: it imports the standard library's lowest modules
only, hands a command to a running daemon of the same code, or runs it in this process.
`server` is the daemon (one thread; `warm` imports every module a command needs once and
prepares the store); `spare` is the child it forks ahead, `child` what a child does to become
the client's command; `wire` is what both sides share (paths, the code's fingerprint, frames),
`frames` how the daemon reads them; `control` starts, stops and asks a daemon.
"""
