//! Takt's API tests: every scenario drives the real server over HTTP on a loopback port, once
//! on a fresh SQLite file and once on a fresh PostgreSQL database.

mod support;

mod erp_seed;
mod openapi;
mod responses;
