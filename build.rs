//! Link-time settings for the `frontline` executable: what the idle server
//! keeps resident (README "Memory").
//!
//! - Packed relative relocations (`DT_RELR`): a position-independent
//!   executable's pointer tables (`.data.rel.ro`) are fixed up at start from
//!   a list of relocations. Written out one by one the list is 2.7 MB here,
//!   and the dynamic loader reads all of it at every start, so it stayed in
//!   the idle server's memory; packed it is 40 KB. The loader must read the
//!   packed form (glibc 2.36 and later, which says so with the
//!   `GLIBC_ABI_DT_RELR` version), so it is used only when the C library the
//!   binary links against has it. Address randomisation is unchanged.
//! - Start-up code together (`link/startup-symbols.txt`): each function run
//!   while the server starts and idles kept the ~64 KB of code around it
//!   resident (the kernel maps neighbouring pages with each fault), and those
//!   functions were spread over all 40 MB of code. The list places them next
//!   to each other. Only LLD reads such a list; it is the linker Rust uses on
//!   x86_64 Linux from 1.90, and the list is left out otherwise. Names the
//!   binary no longer has are skipped, so a stale list costs memory, never a
//!   build; `link/startup-symbols.sh` regenerates it.

use std::process::Command;

const STARTUP_SYMBOLS: &str = "link/startup-symbols.txt";

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed={STARTUP_SYMBOLS}");
    println!("cargo::rerun-if-env-changed=CC");
    let target = std::env::var("TARGET").unwrap_or_default();
    let host = std::env::var("HOST").unwrap_or_default();
    if target == host && target.ends_with("-linux-gnu") && libc_reads_packed_relocations() {
        println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
        // tests/binary_footprint.rs checks what was asked for.
        println!("cargo::rustc-env=FRONTLINE_LINK_RELR=1");
    }
    if target == "x86_64-unknown-linux-gnu" && links_with_rust_lld() {
        let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
        println!("cargo::rustc-link-arg-bins=-Wl,--symbol-ordering-file={dir}/{STARTUP_SYMBOLS}");
        println!("cargo::rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
        println!("cargo::rustc-env=FRONTLINE_LINK_ORDERED=1");
    }
}

/// Whether the C library found by the C compiler (the linker driver) defines
/// the `GLIBC_ABI_DT_RELR` version.
fn libc_reads_packed_relocations() -> bool {
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let Ok(out) = Command::new(compiler)
        .arg("-print-file-name=libc.so.6")
        .output()
    else {
        return false;
    };
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    std::fs::read(&path)
        .map(|bytes| {
            bytes
                .windows(b"GLIBC_ABI_DT_RELR".len())
                .any(|w| w == b"GLIBC_ABI_DT_RELR")
        })
        .unwrap_or(false)
}

/// Whether rustc links with its own LLD: its default on x86_64 Linux from
/// 1.90, unless a linker or linker flavour is chosen.
fn links_with_rust_lld() -> bool {
    let chosen = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    if ["linker", "link-self-contained", "fuse-ld"]
        .iter()
        .any(|flag| chosen.contains(flag))
    {
        return false;
    }
    if std::env::vars().any(|(k, _)| k.starts_with("CARGO_TARGET_") && k.ends_with("_LINKER")) {
        return false;
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let Ok(out) = Command::new(rustc).arg("--version").output() else {
        return false;
    };
    // "rustc 1.95.0 (…)"
    let version = String::from_utf8_lossy(&out.stdout);
    let mut numbers = version
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .split('.')
        .map(|n| n.parse::<u32>().unwrap_or(0));
    let (major, minor) = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
    (major, minor) >= (1, 90)
}
