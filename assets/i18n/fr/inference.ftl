# TwinCity Studio : les messages de la fenêtre « inference » en français (jumeaux anglais dans ../en/inference.ftl).

## Fenêtre et ONNX Runtime

infer-runtime = ONNX Runtime : { $path }
infer-cannot-run = Les modèles ne peuvent pas fonctionner ici.
infer-rest-works = Le reste de l'éditeur fonctionne normalement.
infer-click-show = Cliquez Afficher sur une caméra pour voir son image avec les cadres du modèle.

## Modèles

infer-models = Modèles
infer-add-model = Ajouter un modèle…
infer-add-model-tip = Une fiche de modèle (.ron) à côté de son .onnx ; voir docs/models.md
infer-model-card = Fiche de modèle
infer-origin-bundled = fourni
infer-origin-trained = entraîné

## Caméras

infer-choose-model = choisir un modèle
infer-tiles = Tuiles
infer-tiles-tip = Analyser aussi 3 × 2 tuiles qui se chevauchent : trouve les personnes plus petites et plus lointaines, plus lent
infer-show = Afficher
infer-rates = modèle { $model }{ $compared } · { $rate } résultats/s · { $n ->
        [one] { $dropped } image périmée écartée
       *[other] { $dropped } images périmées écartées
    }
infer-compared-error = modèle comparé : { $error }
infer-compare-with = comparer avec
infer-compare-none = aucun
infer-compare-tip = Faire tourner un second modèle sur les mêmes images et montrer les deux résultats côte à côte (chaque image prend alors le temps des deux modèles)

## La caméra affichée en grand

infer-load-footage = Charger des images réelles…
infer-load-footage-tip = Évaluer le modèle sur une photo réelle (PNG, JPEG) ou une vidéo réelle (MP4, MKV, AVI, WebM… via FFmpeg) ; les visages sont floutés dans chaque photo et chaque image de vidéo avant leur affichage
infer-image-or-video = Image ou vidéo
infer-video = Vidéo
infer-back-to-render = Revenir à la vue rendue
infer-legend-predicted = Cadres prédits dans la couleur de leur classe, avec leur score ;
infer-legend-matched = trait vert : apparié ;
infer-legend-false-positive = trait rouge : faux positif (FP) ;
infer-legend-truth = vérité terrain en tirets :
infer-legend-missed = orange manquée,
infer-legend-found = blanche trouvée.
infer-box-match = apparié
infer-counts = Compte : prédit { $predicted }, réel { $truth }. Cadres : { $matched ->
        [one] { $matched } apparié
       *[other] { $matched } appariés
    }, { $fp ->
        [one] { $fp } faux positif
       *[other] { $fp } faux positifs
    }, { $missed ->
        [one] { $missed } manqué
       *[other] { $missed } manqués
    }.
infer-previews-off = Activez En direct dans les aperçus des caméras pour voir cette caméra.
infer-waiting = en attente d'un résultat
infer-plot-predicted = prédit
infer-plot-predicted-by = prédit : { $model }
infer-plot-true = réel
infer-plot-seconds = secondes
infer-plot-people = personnes

## Images réelles

infer-real-image = Image réelle { $name } ({ $faces }) ; pas de vérité terrain.
infer-real-video = Vidéo réelle { $name } ({ $width } × { $height } à { $fps } fps) : { $time } s{ $total }, { $faces } sur cette image ; { $nshown ->
        [one] { $shown } image affichée
       *[other] { $shown } images affichées
    }, { $ndropped ->
        [one] { $dropped } écartée
       *[other] { $dropped } écartées
    } ; pas de vérité terrain.
infer-play = Lire
infer-pause = Mettre en pause
infer-loop = En boucle
infer-every-frame = Chaque image
infer-every-frame-tip = Attendre que chaque image soit floutée (et passée au modèle) au lieu de lire en temps réel en écartant les images qui arrivent pendant que le modèle travaille
infer-ended = terminée

## Erreurs du modèle et du floutage des visages

infer-picture-size = l'image de la caméra est revenue à une taille inattendue
infer-readback-size = l'image relue ne correspond pas à la taille de l'aperçu
infer-image-unreadable = { $file } : impossible de lire l'image : { $error }
infer-video-frame-size = l'image vidéo décodée n'a pas la taille de la vidéo
infer-face-detector = détecteur de visages
infer-person-detector = détecteur de personnes
infer-detector-missing = le { $role } (assets/models/{ $card }) est absent, les images réelles ne peuvent donc pas être affichées : leurs visages sont toujours floutés
infer-detector-fails = le { $role } ne peut pas fonctionner ({ $error }), les images réelles ne sont donc pas affichées : leurs visages sont toujours floutés

## Règles d'alerte et alertes

infer-alert-rules = Règles d'alerte
infer-rule-lying = Personne allongée pendant
infer-rule-crowd = Foule de
infer-rule-or-more-for = ou plus pendant
infer-rule-class = Classe
infer-rule-in-zone = dans la zone x, y, l, h
infer-rule-for = pendant
infer-alerts-inform = Les alertes ne font qu'informer : une personne décide. Chaque alerte et chaque décision est consignée dans { $file }.
infer-alert-lying = une personne allongée au sol depuis { $seconds } s ou plus
infer-alert-crowd = { $n ->
        [one] { $shown } personne ou plus
       *[other] { $shown } personnes ou plus
    } pendant { $seconds } s
infer-alert-zone = « { $class } » dans la zone depuis { $seconds } s ou plus
infer-alerts = Alertes ({ $pending } à décider)
infer-alert-line = #{ $id } { $camera } : { $what }
infer-confirmed = confirmée
infer-dismissed = écartée
