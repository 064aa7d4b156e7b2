# TwinCity Studio: the "plates" window's messages in English (French twins in ../fr/plates.ftl).

## Window

plate-window-title = Plate check
plate-load-scenario-hint = Load a scenario with speed cameras (Scene panel > Load scenario...).

## Settings

plate-choose = (choose)
plate-classifier = Make/model classifier
plate-no-classifier = No classification card: train one with `twincity train --task classify`.
plate-camera = Camera watching the radar
plate-threshold = alert when another body scores at least

## Passages checked

plate-no-passage = No passage checked yet: play the scenario past a speed check.
plate-column-time = time
plate-column-plate = plate
plate-column-speed = speed
plate-column-registered = registered
plate-column-registered-body = registered body
plate-column-seen = seen
plate-column-verdict = verdict
plate-column-truth = truth (demo)
plate-not-registered = not registered
plate-truth-cloned = cloned

## Verdicts (the alert log keeps them in English)

plate-verdict-match = match
plate-verdict-possibly-cloned = possibly cloned
plate-verdict-uncertain = different body, low score
plate-verdict-unknown-body = unknown registered body
plate-verdict-not-seen = not seen

## Alert (the English text is the alert log's)

plate-alert-cloned = plate { $plate } possibly cloned: registered { $body } ({ $make } { $model }), seen { $label } { $score }
