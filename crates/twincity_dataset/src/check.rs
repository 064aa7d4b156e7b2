//! `twincity dataset check`: a finished dataset folder read as a user of it would — every
//! record (bounded, its names inside the folder), every image at its record's size, every
//! record's numbers ([`crate::records::record_problems`]), and `coco.json` and the manifest
//! against the records. What cannot be read at all is an error; what reads but is wrong is a
//! problem in the report, naming the file, the object and the field.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

use crate::records::{Privacy, record_problems};
use crate::store::{COCO, MAX_INDEX_BYTES, Manifest, Status, Store, StoreError};

/// What a check found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckReport {
    pub images: usize,
    pub images_expected: u32,
    pub objects: usize,
    pub visible_heads: usize,
    pub by_category: BTreeMap<String, usize>,
    pub status: Status,
    pub privacy: Privacy,
    /// Every problem found, each naming its file (relative to the dataset folder).
    pub problems: Vec<String>,
}

/// Checks the dataset folder `root`; the report lists every problem found.
pub fn check(root: &Path) -> Result<CheckReport, StoreError> {
    let manifest = Manifest::load(root)?.ok_or_else(|| StoreError::Refused {
        path: root.to_path_buf(),
        message: "no manifest.json: not a dataset made by `twincity render`".into(),
    })?;
    let store = Store::reader(root, manifest);
    let records = store.records_with_paths()?;
    let mut problems = Vec::new();
    let mut by_category = BTreeMap::<String, usize>::new();
    let (mut objects, mut visible_heads) = (0, 0);
    for (path, r) in &records {
        let shown = path.strip_prefix(root).unwrap_or(path).display();
        match image::image_dimensions(root.join(&r.file)) {
            Ok((w, h)) if (w, h) == (r.width, r.height) => {}
            Ok((w, h)) => problems.push(format!(
                "{}: {w}x{h}, the record ({shown}) says {}x{}",
                r.file, r.width, r.height
            )),
            Err(e) => problems.push(format!("{}: {e}", r.file)),
        }
        problems.extend(
            record_problems(r)
                .into_iter()
                .map(|p| format!("{shown}: {p}")),
        );
        for o in &r.objects {
            objects += 1;
            *by_category.entry(o.category.clone()).or_default() += 1;
        }
        visible_heads += r.count();
    }
    let coco_path = root.join(COCO);
    let coco = twincity_model::ronfile::read_limited(&coco_path, MAX_INDEX_BYTES, "COCO files")
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).map_err(|e| e.to_string()));
    match coco {
        Ok(coco) => {
            let n_img = coco["images"].as_array().map_or(0, |a| a.len());
            let n_ann = coco["annotations"].as_array().map_or(0, |a| a.len());
            if n_img != records.len() || n_ann != objects {
                problems.push(format!(
                    "coco.json lists {n_img} images and {n_ann} annotations, the records {} and \
                     {objects}: run `twincity render ... --resume` to rebuild it",
                    records.len()
                ));
            }
        }
        Err(e) => problems.push(format!("coco.json is missing or unreadable ({e})")),
    }
    if store.manifest.images.len() != records.len() {
        problems.push(format!(
            "manifest.json lists {} images, the folder holds {}",
            store.manifest.images.len(),
            records.len()
        ));
    }
    Ok(CheckReport {
        images: records.len(),
        images_expected: store.manifest.images_expected,
        objects,
        visible_heads,
        by_category,
        status: store.manifest.status,
        privacy: store.manifest.settings.privacy.clone(),
        problems,
    })
}
