//! `sqlx::migrate!` embeds `../migrations` at compile time; a new migration
//! file must trigger a rebuild, which cargo does not notice by itself.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
