//! The `takt` command: the server and the operator's tools around it.

mod background;
pub mod cli;
pub mod database;
pub mod doctor;
mod manual;
mod push;
pub mod server;
