//! The `lens.v1` contract, generated from `proto/lens/v1/*.proto` at build
//! time. The core implements the servers; the edges and tests use the clients.

/// Generated messages, clients and servers of package `lens.v1`.
pub mod v1 {
    #![allow(missing_docs, clippy::all, clippy::pedantic)]
    tonic::include_proto!("lens.v1");
}

pub mod client;

/// The metadata header with which the discord edge names the Discord user
/// it acts for (only the discord edge may send it; the web edge drops it from
/// browsers). Part of the contract between the edges and the core.
pub const ACT_AS_DISCORD_USER_HEADER: &str = "x-lens-discord-user";

/// The metadata header the core sets (to `rejected`) on a call refused
/// because its credential does not hold up (expired, revoked, signed with an
/// old key, a guest that was claimed), as opposed to one the caller may not
/// make. The web edge then clears the cookie the credential came from, so a
/// browser left with a dead cookie is anonymous again on its next call
/// instead of refused everywhere. Part of the contract like the one above.
pub const CREDENTIAL_HEADER: &str = "x-lens-credential";

/// The encoded `FileDescriptorSet` of the contract (with source comments and
/// custom options), for gRPC reflection and for reading RPC access rules.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("lens_descriptor");
