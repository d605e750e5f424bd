//! Application state and commands, independent of any drawing: the desktop UI will emit
//! [`session::Command`]s and read [`session::Session`]; tests drive the same commands.

pub mod session;
