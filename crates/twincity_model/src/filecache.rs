//! Small caches of results derived from files, keyed by the file's path, size and modification
//! time (plus whatever options the result depends on), so that the same file is not read and
//! processed again until it changes.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

type Key = (PathBuf, Vec<u64>, Option<SystemTime>, u64);

/// The last [`FileCache::CAPACITY`] results, oldest dropped first. Errors are not cached.
pub struct FileCache<T> {
    entries: Mutex<Vec<(Key, T)>>,
}

impl<T: Clone> FileCache<T> {
    pub const CAPACITY: usize = 8;

    pub const fn new() -> Self {
        Self {
            entries: Mutex::new(Vec::new()),
        }
    }

    /// The cached result for `path` with `options`, or `compute`'s (kept when it succeeds).
    /// `Err` from reading the file's metadata is handed to `unreadable` for the message.
    pub fn get_or_try<E>(
        &self,
        path: &Path,
        options: &[u64],
        unreadable: impl FnOnce(std::io::Error) -> E,
        compute: impl FnOnce() -> Result<T, E>,
    ) -> Result<T, E> {
        let meta = std::fs::metadata(path).map_err(unreadable)?;
        let key: Key = (
            path.to_path_buf(),
            options.to_vec(),
            meta.modified().ok(),
            meta.len(),
        );
        let lock = || self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, hit)) = lock().iter().find(|(k, _)| *k == key) {
            return Ok(hit.clone());
        }
        let value = compute()?;
        let mut entries = lock();
        if entries.len() >= Self::CAPACITY {
            entries.remove(0);
        }
        entries.push((key, value.clone()));
        Ok(value)
    }
}

impl<T: Clone> Default for FileCache<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recomputes_when_the_file_or_the_options_change() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.txt");
        std::fs::write(&file, "a").unwrap();
        let cache = FileCache::<usize>::new();
        let mut calls = 0;
        let get = |options: &[u64], calls: &mut usize| {
            cache
                .get_or_try(
                    &file,
                    options,
                    |e| e.to_string(),
                    || {
                        *calls += 1;
                        Ok::<_, String>(std::fs::read(&file).unwrap().len())
                    },
                )
                .unwrap()
        };
        assert_eq!(get(&[1], &mut calls), 1);
        assert_eq!(get(&[1], &mut calls), 1);
        assert_eq!(calls, 1, "cached");
        get(&[2], &mut calls);
        assert_eq!(calls, 2, "other options");
        std::fs::write(&file, "abc").unwrap();
        assert_eq!(get(&[1], &mut calls), 3, "the file changed size");
        std::fs::remove_file(&file).unwrap();
        let e = cache.get_or_try(&file, &[1], |e| e.kind(), || Ok::<_, std::io::ErrorKind>(0));
        assert_eq!(e, Err(std::io::ErrorKind::NotFound));
    }
}
