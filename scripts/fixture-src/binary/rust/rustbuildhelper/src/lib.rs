/// Used only by build.rs, so cargo-auditable would record it as kind "build".
pub fn greeting() -> &'static str {
    "hello from rustbin"
}
