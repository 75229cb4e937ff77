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

/// The encoded `FileDescriptorSet` of the contract (with source comments and
/// custom options), for gRPC reflection and for reading RPC access rules.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("lens_descriptor");
