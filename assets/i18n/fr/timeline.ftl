# TwinCity Studio : les messages de la fenêtre « timeline » en français (jumeaux anglais dans ../en/timeline.ftl).

## En-tête

timeline-not-saved = (non enregistré)
timeline-unsaved = non enregistré
timeline-play = Lecture
timeline-step = Avancer de { $step } s
timeline-loop = Boucle
timeline-loop-tip = Maj + glisser sur la règle pour choisir l'intervalle
timeline-to = à
timeline-close = Fermer

## Pistes

timeline-no-events = Aucun événement : ajoutez-en un à droite
timeline-to-the-end = jusqu'à la fin
timeline-bar-start = { $kind } { $id } : { $start } s
timeline-bar-end = fin
timeline-bar-hint = Glisser pour déplacer, glisser le bord droit pour redimensionner, cliquer pour modifier
timeline-kind-dumping = dépôt sauvage
timeline-kind-collapse = malaise
timeline-kind-gathering = attroupement
timeline-kind-dispersal = dispersion
timeline-kind-vehicle = véhicule

## Nombres tirés de la graine

timeline-draw-tip = Tirer la valeur entre deux bornes, selon la graine
timeline-fixed-tip = Une valeur fixe
timeline-one-of = une valeur parmi { $values }
timeline-list-separator = {" ; "}

## Lieux

timeline-pick = Désigner
timeline-pick-tip = Puis cliquez l'endroit dans la vue 3D (Échap annule)
timeline-from = depuis
timeline-spot = lieu
timeline-towards = vers
timeline-point-at = à
timeline-leave-to = destination

## Véhicules

timeline-vehicle = Véhicule
timeline-vehicle-car = Voiture
timeline-vehicle-van = Camionnette
timeline-vehicle-truck = Camion
timeline-vehicle-bicycle = Vélo
timeline-body-tip = La carrosserie du véhicule : son modèle 3D (liste dans docs/scenarios.md)
timeline-make = marque
timeline-model = modèle
timeline-plate = Plaque

## Événement sélectionné

timeline-id = Identifiant
timeline-drawn = Avec la graine { $seed } : début { $start } s, fin { $end } ; { $drawn }
timeline-at-the-end = avec le scénario
timeline-all-events = Tous les événements
timeline-delete = Supprimer
timeline-starts = Début
timeline-start-at = à un instant donné
timeline-start-after = après le début d'un autre
timeline-start-after-end = après la fin d'un autre
timeline-at = À
timeline-event = Événement
timeline-delay = Délai

## Incidents

timeline-drop-time = Durée du dépôt
timeline-walk-before = Marche avant de tomber
timeline-bystanders-within = Témoins dans un rayon de
timeline-share-stop = Part qui s'arrête
timeline-they-stay = Ils restent (0 : jusqu'à la fin)
timeline-first-ring = Premier cercle
timeline-people-within = Personnes dans un rayon de
timeline-share-come = Part qui s'approche
timeline-radius = Rayon
timeline-running-speed = Vitesse de fuite
timeline-walking = la marche
timeline-look-back = Se retournent pendant
timeline-speed = Vitesse
timeline-by = Par
timeline-on-foot = un piéton
timeline-by-van = une camionnette
timeline-leaves-to = Repart vers
timeline-elsewhere = ailleurs que là d'où elle vient
timeline-objects = Objets
timeline-add-object = ajouter…
timeline-object-bag = Sac
timeline-object-box = Carton
timeline-object-mattress = Matelas
timeline-object-appliance = Électroménager
timeline-object-tyre = Pneu
timeline-route = Trajet
timeline-corners-done = Terminer l'ajout de points
timeline-corners-add = Ajouter des points dans la vue
timeline-stops = Arrêt
timeline-parks = stationne à un point du trajet
timeline-at-corner = Au point
timeline-for = Pendant

## Scénario

timeline-add = Ajouter :
timeline-add-tip = À l'instant courant ; réglez ensuite ses lieux (Désigner) et ses champs
timeline-add-dumping = Dépôt sauvage
timeline-add-collapse = Malaise
timeline-add-gathering = Attroupement
timeline-add-dispersal = Dispersion
timeline-add-vehicle = Véhicule
timeline-name = Nom
timeline-seed = Graine
timeline-duration = Durée
timeline-time-of-day = Heure
timeline-day-of-year = Jour de l'année
timeline-rain = Pluie
timeline-fog = Brouillard
timeline-visibility = Visibilité
timeline-street-lights = Éclairage public
timeline-lights-auto = automatique
timeline-lights-on = allumé
timeline-lights-off = éteint
timeline-registry = Fichier des immatriculations ({ $n })
timeline-body-unset = carrosserie ?
timeline-body-unknown = inconnue
timeline-registered-body-tip = La carrosserie de la marque et du modèle enregistrés : celle qu'attend le contrôle des plaques doublées
timeline-add-plate = Ajouter une plaque
timeline-speed-cameras = Radars ({ $n })
timeline-add-speed-camera = Ajouter un radar
