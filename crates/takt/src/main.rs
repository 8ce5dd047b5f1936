use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    takt::cli::main().await
}
