# TwinCity Studio : les messages de la fenêtre « crowd » en français (jumeaux anglais dans ../en/crowd.ftl).

## Section Foule

crowd-heading = Foule
crowd-none-loaded = Aucune foule chargée.
crowd-load = Charger un scénario de foule…
crowd-new-demo = Nouveau sur le quartier de démonstration
crowd-new-on = Nouveau sur { $name }
crowd-new-on-tip = Parcourir la ville importée : les parties nommées ou marquées « walkable », sinon ses surfaces au sol, moins les emprises des bâtiments (docs/crowd-scenarios.md)
crowd-new-area = Nouveau sur une zone de 60 m sur 40 m
crowd-new-area-tip = Un rectangle centré sur l'origine ; modifiez son contour dans le fichier pour d'autres formes

## Lecture

crowd-not-saved = pas encore enregistré
crowd-stopped = Simulation arrêtée jusqu'à la correction du scénario (voir ci-dessous).
crowd-clock = t = { $t } s   en marche { $walking }   arrivés { $arrived }
crowd-pause = Suspendre
crowd-play = Lecture
crowd-step = Avancer de { $step } s
crowd-restart = Recommencer
crowd-speed = x temps réel
crowd-scrub = s (position de lecture)
crowd-heatmap = Carte de densité (personnes/m²)
crowd-fruin = Niveau de service de Fruin :

## Zone praticable

crowd-walkable-polygon = Zone praticable : un polygone dessiné ({ $n_corners ->
    [one] { $corners } sommet
   *[other] { $corners } sommets
}, { $n_obstacles ->
    [one] { $obstacles } obstacle
   *[other] { $obstacles } obstacles
})
crowd-walkable-demo = Zone praticable : trottoirs, passages piétons et place du quartier de démonstration
crowd-walkable-mesh = Zone praticable : { $name }, { $area } m2 : { $note }
crowd-walkable-error = Zone praticable : { $error }

## Outils de dessin

crowd-edit = Édition
crowd-draw = Dessiner :
crowd-draw-area-tip = Glissez sur le sol pour dessiner la zone
crowd-draw-person-tip = Cliquez sur le sol pour placer une personne nommée
crowd-draw-event-tip = Cliquez sur le sol : l'événement commence à l'instant courant
crowd-draw-help = Le bouton gauche dessine ; glisser avec le bouton droit déplace la vue ; Esc arrête le dessin.
crowd-tool-spawn = Zone d'apparition
crowd-tool-exit = Sortie
crowd-tool-waypoint = Point de passage
crowd-tool-person = Personne
crowd-tool-gather = Point de rassemblement
crowd-tool-flee = Point à fuir

## Champs du scénario

crowd-name = Nom
crowd-delete = Supprimer
crowd-remove = Retirer
crowd-nearest-exit = la plus proche
crowd-spawns = Zones d'apparition ({ $n })
crowd-spawn-count = Personnes
crowd-spawn-rate = Débit
crowd-spawn-rate-tip = 0 : tout le monde à l'heure de début
crowd-spawn-start = Début
crowd-spawn-groups = Groupes de
crowd-range-to = à
crowd-exit = Sortie
crowd-exits = Sorties ({ $n })
crowd-waypoints = Points de passage ({ $n })
crowd-wait-none = Passage
crowd-wait-idle = Attente (sur place)
crowd-wait-queue = File d'attente
crowd-idle-for = de
crowd-queue-head = tête
crowd-queue-towards = file vers
crowd-queue-service = temps de service
crowd-queue-service-unit = s par personne
crowd-people = Personnes ({ $n })
crowd-person-at = position
crowd-person-start = Apparaît à
crowd-person-speed = Vitesse
crowd-person-speed-tip = 0 : tirée au sort comme pour les autres

## Événements

crowd-events = Événements ({ $n })
crowd-event-title = { $action } à { $t } s
crowd-action-gather = Rassemblement
crowd-action-flee = Fuite
crowd-action-walk-to = Marche vers
crowd-action-collapse = Malaise
crowd-event-at = À
crowd-add-walk = Ajouter : une personne marche jusqu'à un point
crowd-add-walk-tip = Modifiez la personne, le lieu et l'heure ci-dessus
crowd-gather-around = autour de
crowd-flee-from = depuis
crowd-flee-radius = Rayon
crowd-flee-speed = Vitesse x
crowd-flee-stay = Puis à l'arrêt
crowd-walk-to-point = vers
crowd-stay = Rester
crowd-collapse-within = Témoins dans un rayon de
crowd-share-stop = Part qui s'arrête
crowd-collapse-stay = Ils restent
crowd-gather-radius = Premier cercle
crowd-gather-within = Personnes dans un rayon de
crowd-gather-stay-tip = 0 : jusqu'à la fin

## Paramètres de simulation

crowd-run-settings = Paramètres de simulation
crowd-duration = Durée
crowd-seed = Graine
crowd-output-fps = Fréquence des trajectoires (fps)
crowd-speed-mean = Vitesse moyenne
crowd-speed-sd = Dispersion de vitesse
crowd-body-radius = Rayon du corps
crowd-time-gap = Écart temporel
