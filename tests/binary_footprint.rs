//! What the idle server keeps of its own executable (build.rs, README
//! "Memory"): the start-up fix-ups are packed where the C library reads them
//! packed, and the code run at start and while idle sits together.

#![cfg(target_os = "linux")]

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_frontline");

/// `readelf`/`nm` (binutils, beside every C toolchain that links Rust here).
fn binutils(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .arg(BIN)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (binutils) to inspect the executable: {e}"));
    assert!(out.status.success(), "{tool} {args:?} failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The size in bytes of section `name`, from `readelf -S -W`.
fn section_size(sections: &str, name: &str) -> Option<u64> {
    sections.lines().find_map(|line| {
        let line = line.split_once(']').map(|(_, rest)| rest)?;
        let mut cols = line.split_whitespace();
        if cols.next()? != name {
            return None;
        }
        // name, type, address, offset, size
        u64::from_str_radix(cols.nth(3)?, 16).ok()
    })
}

#[test]
fn relative_relocations_are_packed_where_the_loader_reads_them() {
    if option_env!("FRONTLINE_LINK_RELR").is_none() {
        eprintln!("this C library predates DT_RELR; the relocations stay unpacked");
        return;
    }
    let dynamic = binutils("readelf", &["-d", "-W"]);
    assert!(
        dynamic.contains("(RELR)"),
        "no DT_RELR in the dynamic section:\n{dynamic}"
    );
    let sections = binutils("readelf", &["-S", "-W"]);
    let unpacked = section_size(&sections, ".rela.dyn").unwrap_or(0);
    assert!(
        unpacked < 256 * 1024,
        ".rela.dyn is still {unpacked} bytes: the loader reads all of it at every start"
    );
}

#[test]
fn start_up_code_is_placed_together() {
    if option_env!("FRONTLINE_LINK_ORDERED").is_none() {
        eprintln!("not linked by LLD: the start-up list is not used");
        return;
    }
    let listed: std::collections::HashSet<String> = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/link/startup-symbols.txt"
    ))
    .expect("link/startup-symbols.txt")
    .lines()
    .map(str::to_string)
    .collect();
    // (address, size) of each listed function this binary has.
    let mut placed: Vec<(u64, u64)> = binutils("nm", &["-S", "--defined-only"])
        .lines()
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            match cols[..] {
                [addr, size, kind, name] if "tTwW".contains(kind) && listed.contains(name) => {
                    Some((
                        u64::from_str_radix(addr, 16).ok()?,
                        u64::from_str_radix(size, 16).ok()?,
                    ))
                }
                _ => None,
            }
        })
        .collect();
    placed.sort_unstable();
    placed.dedup_by_key(|p| p.0);
    assert!(
        placed.len() >= 100,
        "only {} of the {} listed functions are in the binary",
        placed.len(),
        listed.len()
    );
    let code: u64 = placed.iter().map(|p| p.1).sum();
    // The longest run of listed functions with no gap over 4 KB between them.
    let (mut best, mut run_code) = (0u64, 0u64);
    for i in 0..placed.len() {
        if i > 0 && placed[i].0 > placed[i - 1].0 + placed[i - 1].1 + 4096 {
            run_code = 0;
        }
        run_code += placed[i].1;
        best = best.max(run_code);
    }
    assert!(
        best * 10 >= code * 9,
        "the listed functions are spread: the longest run holds {best} of their {code} bytes"
    );
}
