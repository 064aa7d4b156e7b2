# TwinCity Studio : les messages de l'éditeur en français.
# Chaque message a son jumeau anglais dans ../en/ (même nom de fichier ; les tests le vérifient) ; voir docs/tours.md.

app-name = TwinCity Studio
lang-fr = Français
lang-en = English

## Barre de menus

menu-file = Fichier
menu-new = Nouveau (vide)
menu-new-demo = Nouveau à partir du quartier de démonstration
menu-open = Ouvrir…
menu-save = Enregistrer
menu-save-as = Enregistrer sous…
menu-export = Exporter un jeu de données…
menu-import = Importer un glTF…
menu-quit = Quitter
menu-edit = Édition
menu-undo = Annuler
menu-redo = Rétablir
menu-add-camera = Ajouter une caméra au point visé
menu-delete-camera = Supprimer la caméra sélectionnée
menu-view = Affichage
menu-frustums = Champs des caméras
menu-previews = Aperçus des caméras
menu-inference = Inférence du modèle
menu-plate-check = Contrôle des plaques
menu-fly = Mode vol (F)
menu-fast-moves = Mouvements fluides sur machine lente
menu-fast-moves-hint = Quand la vue bouge et que les images arrivent lentement, la dessiner sans ombres ni anticrénelage ; les deux reviennent dès qu'elle s'arrête.
menu-frame-selection = Cadrer la sélection
menu-frame-all = Tout cadrer
menu-reset-view = Vue initiale
menu-presentation = Présentation
menu-tour-editor = Éditeur de visite
menu-present = Présenter la visite
menu-present-needs-tour = Ouvrez ou enregistrez d'abord une visite (Éditeur de visite)
menu-language = Langue
menu-help = Aide
menu-keys = Clavier et souris
menu-about = À propos de TwinCity Studio

## Barre d'état et vue

status-fps = { $fps } FPS
status-triangles = { $n ->
    [one] { $shown } triangle
   *[other] { $shown } triangles
}
status-meshes = { $n ->
    [one] { $n } maillage
   *[other] { $n } maillages
}
status-cameras = { $n ->
    [one] { $n } caméra
   *[other] { $n } caméras
}
status-fly-speed = vol { $speed } m/s
view-fly-hint = MODE VOL – glisser pour regarder, Z Q S D / A E pour bouger, Maj plus vite, F pour sortir

## Dialogues

dialog-ok = OK
dialog-cancel = Annuler
dialog-filter-project = Projet TwinCity
dialog-filter-crowd = Scénario de foule
dialog-filter-scenario = Scénario d'incidents
prompt-file = Fichier
prompt-browse = Parcourir…
prompt-open-project = Ouvrir un projet
prompt-open = Ouvrir
prompt-save-project = Enregistrer le projet sous
prompt-save = Enregistrer
prompt-import = Importer un maillage de ville glTF / GLB
prompt-import-button = Importer
prompt-load-crowd = Charger un scénario de foule
prompt-load = Charger
prompt-save-crowd = Enregistrer le scénario de foule sous
prompt-load-scenario = Charger un scénario
prompt-save-scenario = Enregistrer le scénario sous
prompt-z-up = Le fichier a Z vers le haut (le tourner vers le Y du glTF)
prompt-empty = Tapez un chemin ou choisissez Parcourir
unsaved-title = Modifications non enregistrées
unsaved-text = « { $name } » a des modifications non enregistrées.
unsaved-discard = Abandonner les modifications
problem-title = Problème
keys-title = Clavier et souris
about-title = À propos de TwinCity Studio
about-what = Un éditeur libre de jumeaux numériques de villes : caméras de vidéoprotection virtuelles, foules simulées et incidents scénarisés, rendus en données d'entraînement annotées et respectueuses de la vie privée.
about-privacy = La vie privée est un invariant : aucune reconnaissance faciale, aucun suivi des individus ; visages et plaques sont floutés dans tout ce que le produit exporte.
about-licence = Licence : MIT OU Apache-2.0. Construit avec Bevy et egui.

## Clavier et souris

key-left-drag = Glisser (gauche)
key-left-drag-does = Tourner autour du point visé (regarder autour en mode vol)
key-right-drag = Glisser (droite / milieu)
key-right-drag-does = Déplacer
key-wheel = Molette
key-wheel-does = Zoomer (vitesse de vol en mode vol)
key-left-click = Clic gauche
key-left-click-does = Sélectionner un bâtiment ou une caméra
key-f = F
key-f-does = Mode vol : entrer ou sortir
key-wasd = Z Q S D (AZERTY ; W A S D en QWERTY)
key-wasd-does = Voler en avant / à gauche / en arrière / à droite
key-qe = A / E (AZERTY ; Q / E en QWERTY)
key-qe-does = Descendre / monter
key-shift = Maj
key-shift-does = Voler quatre fois plus vite
key-z = Z
key-z-does = Cadrer la sélection
key-g = G
key-g-does = Déplacer la caméra sélectionnée avec le pointeur (clic : garder ; Échap, clic droit : annuler)
key-r = R
key-r-does = Orienter la caméra sélectionnée vers le pointeur (clic : garder ; Échap, clic droit : annuler)
key-home = Origine
key-home-does = Cadrer toute la scène
key-delete = Suppr
key-delete-does = Supprimer la caméra sélectionnée
key-new-open = Ctrl+N / Ctrl+O
key-new-open-does = Nouveau projet / ouvrir un projet
key-save = Ctrl+S / Ctrl+Maj+S
key-save-does = Enregistrer / enregistrer sous
key-import = Ctrl+I
key-import-does = Importer un maillage de ville glTF/GLB
key-undo = Ctrl+Z / Ctrl+Y
key-undo-does = Annuler / rétablir (Ctrl+Maj+Z rétablit aussi)
key-quit = Ctrl+Q
key-quit-does = Quitter
key-f5 = F5
key-f5-does = Présenter la visite (flèche droite : suivant, flèche gauche : retour, P : pause, Échap : sortir)

## Caméras

camera-default-name = Caméra { $n }
place-failed = Impossible de poser une caméra : { $why }

## Panneau de scène

scene-heading = Scène
scene-city-meshes = Maillages de la ville
scene-demo-district = Quartier de démonstration
scene-buildings = { $n ->
    [one] { $n } bâtiment
   *[other] { $n } bâtiments
}
scene-import-loading = chargement
scene-import-loaded = chargé
scene-remove-import = Retirer du projet
scene-not-loaded = Non chargé : { $why }
scene-import = Importer un glTF…
scene-cameras = Caméras ({ $n })
scene-add-camera = Ajouter une caméra
scene-add-camera-tip = Au point visé, à 6 m de haut
scene-place = Poser sur la ville
scene-place-tip = Cliquez un mur, un toit ou le sol dans la vue ; glissez pour orienter (Échap annule)
scene-mount-height = Hauteur de pose
scene-scenario = Scénario
scene-scenario-name = { $name } ({ $n ->
    [one] { $n } événement
   *[other] { $n } événements
})
scene-world = { $time } s : { $people } personnes, { $down } au sol, { $objects } objets, { $vehicles } véhicules ; soleil { $sun }°, éclairage { $lights }
scene-lights-on = allumé
scene-lights-off = éteint
scene-scenario-none = Des incidents sur une frise : dépôt sauvage, malaise, rassemblements, véhicules.
scene-load-scenario = Charger un scénario…
scene-load-scenario-tip = Un fichier *.scenario.ron (voir docs/scenarios.md)
scene-export-tip = Rendre chaque caméra en images annotées et respectueuses de la vie privée (voir docs/dataset-format.md)

## Aperçus des caméras

previews-title = Aperçus des caméras
previews-live = En direct
previews-live-tip = Les aperçus rendent la scène : les vignettes à tour de rôle, une par image ; l'aperçu agrandi à chaque image
previews-stop-looking = Ne plus regarder par { $camera } (Échap)
previews-no-cameras = Pas encore de caméra : Édition > Ajouter une caméra.
previews-camera-size = { $width } × { $height }, { $fov }°
previews-look-through = Regarder par
previews-enlarge = Cliquer pour agrandir
previews-enlarged = (agrandi)
previews-starting = démarrage…
previews-off = aperçus désactivés
previews-window = { $camera } (aperçu)

## Mode présentation

present-step = { $step } / { $steps }
present-step-paused = { $step } / { $steps }, en pause

present-keys = Flèche droite, Espace ou clic : suivant   Flèche gauche : retour   P : pause   Échap : sortir
present-keys-paused = En pause (P pour reprendre)   Flèche droite : suivant   Flèche gauche : retour   Échap : sortir
present-alert-title = Le modèle lance une alerte
present-alert-waits = Le modèle n'agit jamais seul : une personne décide.
present-confirm = Confirmer
present-dismiss = Écarter
present-confirmed = Confirmée par une personne
present-dismissed = Écartée par une personne
present-count = Modèle : { $model ->
    [one] { $model } personne
   *[other] { $model } personnes
}   ·   réalité : { $truth }
present-model-starting = Le modèle démarre…
present-privacy-note = À gauche : ce que la caméra capte. À droite : ce que TwinCity garde — visages floutés.
present-privacy-captured = Tel que capté
present-privacy-kept = Tel que gardé (flouté)
present-privacy-faces = { $n ->
    [one] { $n } visage flouté
   *[other] { $n } visages floutés
}
present-project-unsaved = La visite a besoin du projet { $file }, mais le projet ouvert a des modifications non enregistrées : enregistrez-les d'abord.

## Éditeur de visite

tour-window = Visite
tour-none = Pas encore de visite : enregistrez la vue comme première étape, ou ouvrez un fichier de visite.
tour-new = Nouvelle visite à partir de cette vue
tour-file = Fichier
tour-open = Ouvrir
tour-save = Enregistrer
tour-saved = { $file } enregistré
tour-title = Titre de la visite
tour-steps = { $n ->
    [one] { $n } étape
   *[other] { $n } étapes
}
tour-up = Monter
tour-down = Descendre
tour-remove = Supprimer
tour-record = Enregistrer la vue comme étape
tour-record-tip = La vue (ou la caméra par laquelle on regarde), les calques affichés, l'aperçu agrandi et son modèle, et le temps du scénario
tour-update = Mettre l'étape à jour depuis la vue
tour-step-title = Titre de l'étape
tour-step-text = Texte
tour-flight = Vol
tour-advance = Passer à la suite après
tour-alert = Une alerte à décider
tour-alert-text = L'alerte
tour-show-frustums = champs des caméras
tour-show-coverage = couverture DORI
tour-show-masks = masques de confidentialité
tour-show-heatmap = carte de densité
tour-show-preview = l'image de { $camera }
tour-show-model = les cadres et le compte du modèle
tour-shows = Montre : { $what }
tour-shows-nothing = la ville seule
tour-present-from = Présenter depuis cette étape

## Panneau des propriétés

prop-heading = Propriétés
prop-project = Projet
prop-name = Nom
prop-hint = Cliquez un bâtiment ou une caméra, dans la vue ou la liste de la scène, pour voir ses propriétés.
prop-use = Usage
prop-height = Hauteur
prop-footprint = Emprise
prop-centre = Centre (E, N)
prop-frame = Cadrer (Z)
prop-file = Fichier
prop-material = Matériau
prop-triangles = Triangles
prop-size = Dimensions
prop-metadata = Métadonnées (extras glTF)
prop-no-metadata = aucune dans le fichier
prop-georeference = Géoréférencement
prop-crs = SCR (EPSG)
prop-placement = Position
prop-lens = Objectif
prop-image = Image
prop-dori = Portée DORI (CEI 62676-4)
prop-delete = Supprimer
prop-east = Est (x)
prop-north = Nord (-z)
prop-height-y = Hauteur (y)
prop-pan = Azimut (cap)
prop-tilt = Inclinaison (vers le bas)
prop-roll = Roulis
prop-sensor-width = Largeur du capteur
prop-sensor-height = Hauteur du capteur
prop-focal = Focale
prop-hfov = Champ horizontal
prop-vfov = Champ vertical
prop-wide-end = Grand angle
prop-tele-end = Téléobjectif
prop-resolution = Résolution
prop-frame-rate = Cadence
prop-class = Classe
prop-up-to = jusqu'à
prop-wide = grand angle
prop-tele = télé
prop-height-storeys = { $height } m ({ $n ->
    [one] { $n } niveau
   *[other] { $n } niveaux
})
prop-footprint-size = { $width } m × { $depth } m ({ $area } m²)
prop-file-node = { $file } (nœud { $node })
prop-part-size = { $width } × { $depth } m, { $height } m de haut
prop-origin-ecef-x = Origine ECEF X
prop-origin-ecef-y = Origine ECEF Y
prop-origin-ecef-z = Origine ECEF Z
prop-origin-east = Origine est (x)
prop-origin-north = Origine nord (y)
prop-origin-height = Origine altitude (z)
prop-crs-example = p. ex. 2154
prop-crs-tip = Le système de coordonnées projetées de l'origine (2154 Lambert-93, 28992 RD New, 2056 LV95…)
prop-exports = Exports : { $how }
prop-georef-wgs84 = longitude/latitude WGS84 (depuis { $crs })
prop-georef-wgs84-ecef = longitude/latitude WGS84 (depuis { $crs }, géocentrique)
prop-georef-local = mètres locaux (est, nord) depuis l'origine du projet ({ $x } ; { $y }) ; { $why }
prop-georef-no-origin = le projet n'a pas d'origine
prop-georef-no-crs = aucun système de coordonnées n'est connu : indiquez le code EPSG de l'origine ci-dessus
prop-georef-not-epsg = le système `{ $crs }` n'est pas un code EPSG
prop-georef-geographic = { $crs } est un système géographique, non projeté
prop-georef-unknown-epsg = { $crs } ne fait pas partie des définitions EPSG fournies
prop-id = Identifiant { $id }
prop-zoom = Zoom varifocal / PTZ
prop-zoom-tip = Un objectif à zoom : réglez sa plage de focales, puis zoomez dans cette plage
prop-preset = Préréglage
prop-custom = Personnalisé
prop-in-crs = Dans { $crs }
prop-source-crs = le SCR d'origine
prop-centre-crs-tip = Le centre optique de la caméra dans le système de coordonnées du projet
prop-zoom-slider = zoom

## Couverture DORI

coverage-heading = Couverture DORI
coverage-show = Afficher au sol
coverage-show-tip = Densité de pixels sur le visage d'une personne debout, avec les masquages de la ville (CEI 62676-4)
coverage-all-cameras = Toutes les caméras (la meilleure)
coverage-camera = Caméra
coverage-overlap = Recouvrement (2 caméras ou plus)
coverage-aoi-blind = Zone d'intérêt non vue
coverage-aoi-blind-share = { $blind } sur { $aoi } m² ({ $share } %)
coverage-area = { $area } m²
coverage-computed = calculée en { $seconds } s
coverage-failed = calcul impossible : { $why }
coverage-stopped = le calcul s'est arrêté de façon inattendue
coverage-no-cameras = aucune caméra : ajoutez-en une (Édition > Ajouter une caméra)
coverage-computing = calcul en cours…
coverage-settings = Réglages, zone d'intérêt, masques de confidentialité
coverage-cell = Maille
coverage-target-height = Hauteur visée
coverage-target-height-tip = Hauteur du point regardé sur une personne debout (1,6 m : le visage)
coverage-aoi = Zone d'intérêt (plan, est/nord)
coverage-aoi-none = aucune
coverage-aoi-square = Placer 40 m × 40 m au point visé
coverage-aoi-clear = Effacer
coverage-from = De
coverage-to = À
coverage-remove-corner = Retirer ce sommet
coverage-draw = Dessiner dans la vue…
coverage-draw-tip = Cliquez les sommets de la zone d'intérêt sur la ville
coverage-drawing = Dessin : { $n ->
    [one] { $n } sommet
   *[other] { $n } sommets
}. Cliquez les sommets dans la vue ; cliquez le premier ou appuyez sur Entrée pour fermer ; Retour arrière retire le dernier ; Échap annule.
coverage-close-outline = Fermer le contour
coverage-masks = Masques de confidentialité (boîtes : x est, y haut, z sud)
coverage-add-mask = Ajouter un masque au point visé
coverage-add-mask-tip = Une zone de 4 m × 3 m, épaisse de 0,2 m, à 2 m de haut ; placez-la sur les fenêtres à cacher
coverage-mask-name = Masque { $n }
dori-detection = Détection
dori-observation = Observation
dori-recognition = Reconnaissance
dori-identification = Identification
