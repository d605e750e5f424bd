//! The `errata` binary: everything lives in the library; this only hands over the arguments.

fn main() -> std::process::ExitCode {
    errata::cli::run(std::env::args_os())
}
