//! The operator terminal and the plant board (SPEC section 8), through HTTP as a browser without
//! scripts would use them (`sign_in`, `actions`, `security`), and in a real headless Chromium
//! (`browser`).

mod actions;
mod browser;

pub(crate) mod fixtures;
mod security;
mod sign_in;
