//! Development probe: open a repository and print the context and drift as JSON.
//! `cargo run -p forkcheck-analyzers --example probe -- DIR [BASE] [TO]`

use forkcheck_analyzers::context::{Context, OpenOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut opts = OpenOptions::new(args.next().unwrap_or_else(|| ".".into()));
    opts.base = args.next().filter(|s| !s.is_empty());
    opts.to = args.next();
    opts.allow_shallow = std::env::var_os("ALLOW_SHALLOW").is_some();
    match Context::open(&opts) {
        Ok(ctx) => match forkcheck_analyzers::run(&ctx, &forkcheck_analyzers::NoProgress) {
            Ok(report) => println!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            ),
            Err(e) => {
                eprintln!("run error: {e} ({:?}) exit {}", e, e.exit_code());
                std::process::exit(i32::from(e.exit_code()));
            }
        },
        Err(e) => {
            eprintln!("open error: {e} ({e:?}) exit {}", e.exit_code());
            std::process::exit(i32::from(e.exit_code()));
        }
    }
}
