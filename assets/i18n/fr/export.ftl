# TwinCity Studio : les messages de la fenêtre « export » en français (jumeaux anglais dans ../en/export.ftl).

## Fenêtre

export-title = Exporter un jeu de données
export-renders = Rendu de { $path }
export-save-scenario-first = enregistrez d'abord le scénario : l'export rend le fichier enregistré
export-save-project-first = enregistrez d'abord le projet (ou chargez un scénario) : l'export rend les fichiers enregistrés
export-randomisation = Randomisation de domaine du scénario : { $what }

## Randomisation de domaine

export-rand-light = lumière et météo à chaque image
export-rand-looks = apparence des personnes
export-rand-noise = bruit { $range }
export-rand-motion-blur = flou de bougé { $range } px
export-rand-jpeg = qualité JPEG { $range }
export-rand-scale = résolution { $scale }

## Formulaire

export-folder = Dossier
export-browse = Parcourir…
export-frames = Images
export-per-second = par seconde
export-from = à partir de
export-to-the-end = jusqu'à la fin
export-cameras = Caméras
export-size = Taille
export-each-camera-resolution = résolution de chaque caméra
export-image-format = Format d'image
export-quality = qualité
export-also = En plus
export-masks = masques
export-depth = profondeur
export-density-maps = cartes de densité
export-privacy = Vie privée
export-blur = Flouter visages et plaques
export-why-sharp = Pourquoi doivent-ils rester nets ? (consigné dans le manifeste)
export-resume = Reprendre un export interrompu dans ce dossier
export-need-folder = choisissez le dossier du jeu de données
export-need-reason = dites en quelques mots pourquoi visages et plaques doivent rester nets (consigné dans le manifeste)

## Puis apprentissage

export-then = Ensuite
export-train = Entraîner un modèle sur ce jeu
export-train-tip = Une fois l'export complet, affiner un détecteur sur le jeu de données (`twincity train`) ; le modèle écrit s'ouvre dans la fenêtre Inférence du modèle
export-train-from = à partir de
export-choose-model = choisir un modèle
export-bundled-yolox = YOLOX-nano (fourni)
export-train-for = pendant
export-epochs = époques
export-model-goes-to = Le modèle sera écrit dans { $folder }
export-choose-base = choisissez un modèle de départ (le YOLOX-nano fourni est absent)

## Progression et résultat

export-no-program = impossible de trouver ce programme : { $error }
export-cannot-start = impossible de lancer l'export : { $error }
export-finished = { $n ->
    [one] { $shown } image écrite
   *[other] { $shown } images écrites
} ({ $status })
export-status-complete = complet
export-status-partial = partiel
export-stopped = l'export s'est arrêté ({ $status }) ; le dossier contient un jeu de données partiel valide
export-cancelled = Annulé. Les images écrites forment un jeu de données partiel valide ; cochez « Reprendre » et exportez à nouveau pour le terminer.
export-not-trained = Pas d'apprentissage : le jeu de données n'est pas complet (exportez-le à nouveau avec « Reprendre » pour le terminer).
export-starting-training = lancement de l'apprentissage…
export-not-registered = le modèle n'a pas pu être ajouté à la liste des modèles entraînés : { $error }
export-model-trained = Modèle entraîné : { $card }
export-report = Rapport : { $report }
export-listed = Il figure dans la fenêtre Inférence du modèle.
export-open-inference = Ouvrir Inférence du modèle

## Boutons

export-stopping = Arrêt…
export-stop-training = Arrêter l'apprentissage
export-cancel = Annuler
export-export = Exporter
