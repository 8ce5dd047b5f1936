//! The `takt` command: the server and the operator's tools around it.

pub mod cli;
pub mod database;
pub mod server;
