/// A value for the fixture binary to print.
pub fn answer() -> u32 {
    42
}
