# TwinCity Studio: the messages the status bar and the project's dialogs show (French twins in ../fr/notes.ftl).

## Project

note-new-project = New project
note-opened = Opened { $file }
note-open-failed = Could not open the project: { $error }
note-save-no-file = Save: the project has no file yet; use Save As
note-saved = Saved { $file }
note-save-failed = Could not save: { $error }

## Import

note-already-imported = { $file } is already in the project
note-importing = Importing { $file }{ $note }
note-import-failed = Cannot import: { $error }
note-recentred = ; re-centred on x { $x }, y { $y }, z { $z } ({ $crs })
note-recentred-no-crs = ; re-centred on x { $x }, y { $y }, z { $z } (CRS unknown: set it in Project)
note-import-not-gltf = Cannot import { $file }: only glTF 2.0 files (.glb or .gltf) are supported; convert other formats first (for example with Blender or `gltf-transform`)
note-import-not-file = Cannot import { $file }: it is not a file
note-import-unreadable = Cannot import { $file }: { $error }

## Scenario files

note-reloaded = Reloaded { $file } (changed on disk)
note-changed-on-disk = { $file } changed on disk; save here to overwrite it, or close and load it again
note-new-crowd-scenario = New crowd scenario
note-new-spawn = Spawn
note-new-exit = Exit
note-new-waypoint = Waypoint
note-new-person = Person
