# TwinCity Studio : les messages de la fenêtre « train » en français (jumeaux anglais dans ../en/train.ftl).

## Progression

train-phase-train = apprentissage
train-phase-eval = évaluation
train-phase-export = export du modèle
train-epoch = époque { $epoch }/{ $epochs }
train-step = itération { $step }/{ $steps }
train-loss = perte { $loss }
train-time-left = reste environ { $time }

## Comment il s'est terminé

train-no-program = impossible de trouver ce programme : { $error }
train-cannot-start = impossible de lancer l'apprentissage : { $error }
train-no-card = twincity train s'est terminé sans nommer la fiche du modèle qu'il a écrite
train-no-card-tail =
    twincity train s'est terminé sans nommer la fiche du modèle qu'il a écrite :
    { $tail }
train-failed = twincity train a échoué ({ $status })
train-stopped = Apprentissage arrêté. Pour reprendre là où il s'est arrêté : twincity { $args } --resume
