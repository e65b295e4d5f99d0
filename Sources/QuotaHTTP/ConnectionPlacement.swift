/// Where a client the first loop accepted stands on its way to a loop
/// that serves it. Below the connection cap it is served where it lands.
/// At the cap it visits every loop in turn, which each offer their least
/// advanced connection, and takes the place of the least advanced of all,
/// on that connection's loop: the same choice one loop makes over all its
/// connections, so adding loops does not change who is evicted.
enum ConnectionPlacement: Sendable {
    /// A connection one loop offers to close for a new client.
    struct Candidate: Sendable {
        let loop: Int
        let connectionID: UInt64
        let rank: Connection.EvictionRank
    }

    /// Fresh from accept: no loop has looked for room yet.
    static let fresh = ConnectionPlacement.seekingRoom(visited: 0, best: nil)

    /// Below the cap, served where it lands. At the cap: `visited` loops
    /// have offered theirs; `best` is the least advanced so far, nil while
    /// every connection seen is busy.
    case seekingRoom(visited: Int, best: Candidate?)
    /// At the cap, and this loop holds the least advanced connection of
    /// all: close it and serve the client in its place.
    case evict(connectionID: UInt64)
}
