fn main() {
    println!("{} {}", env!("LAMINA_GREETING"), rustlib::answer());
}
