//! Ray casting against the open project's scene in the editor: the scene's triangles in a
//! BVH, cached per city (`SceneRaycast`), and where a ray from the view meets the city.

use std::sync::Arc;

use bevy::prelude::*;
use twincity_model::Project;
use twincity_scene::coverage::{Occluders, ScenePart, scene_model};

/// What a project's scene geometry depends on: caches of it compare these.
#[derive(Clone, PartialEq)]
pub struct SceneKey {
    demo_city: bool,
    imports: Vec<twincity_model::project::CityImport>,
    origin: Option<twincity_model::project::GeoOrigin>,
}

impl SceneKey {
    pub fn of(project: &Project) -> Self {
        Self {
            demo_city: project.demo_city,
            imports: project.imports.clone(),
            origin: project.origin.clone(),
        }
    }
}

/// The scene's triangles ready for ray casting (clicks: placing cameras, selecting parts of
/// imported files), rebuilt when the city changes.
#[derive(Resource, Default)]
pub struct SceneRaycast {
    scene: Option<(SceneKey, Arc<Occluders>, Arc<Vec<ScenePart>>)>,
}

impl SceneRaycast {
    /// The occluders and the imported parts, built on first use and when the city changes.
    pub fn get(
        &mut self,
        project: &Project,
    ) -> Result<(Arc<Occluders>, Arc<Vec<ScenePart>>), String> {
        let key = SceneKey::of(project);
        if let Some((k, occ, parts)) = &self.scene
            && *k == key
        {
            return Ok((occ.clone(), parts.clone()));
        }
        let model = scene_model(project)?;
        let occ = Arc::new(Occluders::with_parts(&model.triangles, &model.part_of));
        let parts = Arc::new(model.parts);
        self.scene = Some((key, occ.clone(), parts.clone()));
        Ok((occ, parts))
    }

    /// The parts of the last scene built (empty before any).
    pub fn parts(&self) -> &[ScenePart] {
        self.scene.as_ref().map_or(&[], |(_, _, p)| p.as_slice())
    }
}

/// Where `ray` meets the city (the scene's triangles when they can be built), else the
/// ground plane; `None` for a ray into the sky.
pub fn city_point(
    raycast: Option<&mut SceneRaycast>,
    project: Option<&Project>,
    ray: Ray3d,
) -> Option<Vec3> {
    let hit = raycast
        .zip(project)
        .and_then(|(r, p)| r.get(p).ok())
        .and_then(|(occ, _)| occ.ray_hit(ray.origin, *ray.direction))
        .map(|(t, _)| t)
        .or_else(|| (ray.direction.y < -1e-4).then(|| -ray.origin.y / ray.direction.y))?;
    Some(ray.origin + *ray.direction * hit)
}
