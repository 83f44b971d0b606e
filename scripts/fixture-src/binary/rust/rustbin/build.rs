fn main() {
    println!("cargo:rustc-env=LAMINA_GREETING={}", rustbuildhelper::greeting());
}
