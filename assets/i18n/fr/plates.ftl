# TwinCity Studio : les messages de la fenêtre « plates » en français (jumeaux anglais dans ../en/plates.ftl).

## Fenêtre

plate-window-title = Contrôle des plaques
plate-load-scenario-hint = Chargez un scénario comportant des radars (panneau Scène > Charger un scénario…).

## Réglages

plate-choose = (choisir)
plate-classifier = Classifieur de marque et modèle
plate-no-classifier = Aucune fiche de modèle de classification : entraînez-en une avec `twincity train --task classify`.
plate-camera = Caméra filmant le radar
plate-threshold = alerter quand une autre carrosserie obtient au moins

## Passages contrôlés

plate-no-passage = Aucun passage contrôlé pour l'instant : lisez le scénario au-delà d'un contrôle de vitesse.
plate-column-time = temps
plate-column-plate = plaque
plate-column-speed = vitesse
plate-column-registered = immatriculé
plate-column-registered-body = carrosserie immatriculée
plate-column-seen = vu
plate-column-verdict = conclusion
plate-column-truth = vérité terrain (démo)
plate-not-registered = non immatriculé
plate-truth-cloned = doublée

## Conclusions (le journal des alertes les garde en anglais)

plate-verdict-match = conforme
plate-verdict-possibly-cloned = plaque peut-être doublée
plate-verdict-uncertain = autre carrosserie, score faible
plate-verdict-unknown-body = carrosserie immatriculée inconnue
plate-verdict-not-seen = non vu

## Alerte (le texte anglais est celui du journal des alertes)

plate-alert-cloned = plaque { $plate } peut-être doublée : immatriculée { $body } ({ $make } { $model }), vue { $label } { $score }
