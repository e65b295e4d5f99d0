import Testing

/// Every test that runs a real server on loopback. Serialized: two shared
/// cores, and some tests open hundreds of sockets or time a slow client.
@Suite(.serialized) struct ServerTests {}
