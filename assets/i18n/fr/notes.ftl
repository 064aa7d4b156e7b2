# TwinCity Studio : les messages de la barre d'état et des dialogues du projet en français (jumeaux anglais dans ../en/notes.ftl).

## Projet

note-new-project = Nouveau projet
note-opened = Ouvert : { $file }
note-open-failed = Impossible d'ouvrir le projet : { $error }
note-save-no-file = Enregistrer : le projet n'a pas encore de fichier ; utilisez Enregistrer sous
note-saved = Enregistré : { $file }
note-save-failed = Impossible d'enregistrer : { $error }

## Import

note-already-imported = { $file } fait déjà partie du projet
note-importing = Import de { $file }{ $note }
note-import-failed = Import impossible : { $error }
note-recentred = ; recentré sur x { $x }, y { $y }, z { $z } ({ $crs })
note-recentred-no-crs = ; recentré sur x { $x }, y { $y }, z { $z } (système de coordonnées inconnu : indiquez-le dans Projet)
note-import-not-gltf = Import de { $file } impossible : seuls les fichiers glTF 2.0 (.glb ou .gltf) sont pris en charge ; convertissez d'abord les autres formats (par exemple avec Blender ou `gltf-transform`)
note-import-not-file = Import de { $file } impossible : ce n'est pas un fichier
note-import-unreadable = Import de { $file } impossible : { $error }

## Fichiers de scénario

note-reloaded = { $file } rechargé (modifié sur le disque)
note-changed-on-disk = { $file } a été modifié sur le disque ; enregistrez ici pour l'écraser, ou fermez-le et chargez-le à nouveau
note-new-crowd-scenario = Nouveau scénario de foule
note-new-spawn = Entrée
note-new-exit = Sortie
note-new-waypoint = Étape
note-new-person = Personne
