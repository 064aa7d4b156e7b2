# TwinCity Studio: the "inference" window's messages in English (French twins in ../fr/inference.ftl).

## Window and ONNX Runtime

infer-runtime = ONNX Runtime: { $path }
infer-cannot-run = Models cannot run here.
infer-rest-works = The rest of the editor works as usual.
infer-click-show = Click Show on a camera to see its view with the model's boxes.

## Models

infer-models = Models
infer-add-model = Add model...
infer-add-model-tip = A model card (.ron) beside its .onnx; see docs/models.md
infer-model-card = Model card
infer-origin-bundled = bundled
infer-origin-trained = trained

## Cameras

infer-choose-model = choose a model
infer-tiles = Tiles
infer-tiles-tip = Run on 3 × 2 overlapping tiles too: finds smaller, more distant people, slower
infer-show = Show
infer-rates = model { $model }{ $compared } · { $rate } results/s · { $dropped } stale frames dropped
infer-compared-error = compared model: { $error }
infer-compare-with = compare with
infer-compare-none = none
infer-compare-tip = Run a second model on the same frames and show both results side by side (each frame then takes both models' time)

## The camera shown large

infer-load-footage = Load real footage...
infer-load-footage-tip = Compare the model on a real photo (PNG, JPEG) or video (MP4, MKV, AVI, WebM... through FFmpeg); faces are blurred in every image and frame before it is shown
infer-image-or-video = Image or video
infer-video = Video
infer-back-to-render = Back to the rendered view
infer-legend-predicted = Predicted boxes in their class's colour, with score;
infer-legend-matched = green line: matched;
infer-legend-false-positive = red line: false positive (FP);
infer-legend-truth = ground truth dashed:
infer-legend-missed = orange missed,
infer-legend-found = white found.
infer-box-match = match
infer-counts = Count: predicted { $predicted }, true { $truth }. Boxes: { $matched } matched, { $fp } false positives, { $missed } missed.
infer-previews-off = Turn on Live previews to see this camera.
infer-waiting = waiting for a result
infer-plot-predicted = predicted
infer-plot-predicted-by = predicted: { $model }
infer-plot-true = true
infer-plot-seconds = seconds
infer-plot-people = people

## Real footage

infer-real-image = Real image { $name } ({ $faces }); no ground truth.
infer-real-video = Real video { $name } ({ $width } × { $height } at { $fps } fps): { $time } s{ $total }, { $faces } in this frame; { $shown } frames shown, { $dropped } dropped; no ground truth.
infer-play = Play
infer-pause = Pause
infer-loop = Loop
infer-every-frame = Every frame
infer-every-frame-tip = Wait for each frame to be blurred (and run through the model) instead of playing in real time and dropping the frames that come while the model is busy
infer-ended = ended

## Errors of the model worker and of face blurring

infer-picture-size = the camera's picture came back at an unexpected size
infer-readback-size = the read-back does not fit the preview's size
infer-image-unreadable = { $file }: cannot read the image: { $error }
infer-video-frame-size = the decoded video frame does not have the video's size
infer-face-detector = face detector
infer-person-detector = person detector
infer-detector-missing = the { $role } (assets/models/{ $card }) is missing, so real footage cannot be shown: faces in real images are always blurred
infer-detector-fails = the { $role } cannot run ({ $error }), so real footage is not shown: faces in real images are always blurred

## Alert rules and alerts

infer-alert-rules = Alert rules
infer-rule-lying = Person lying down for
infer-rule-crowd = Crowd of
infer-rule-or-more-for = or more for
infer-rule-class = Class
infer-rule-in-zone = in zone x, y, w, h
infer-rule-for = for
infer-alerts-inform = Alerts only inform: a person decides. Every alert and decision is logged to { $file }.
infer-alert-lying = a person lying on the ground for { $seconds } s or more
infer-alert-crowd = { $shown } people or more for { $seconds } s
infer-alert-zone = `{ $class }` in the zone for { $seconds } s or more
infer-alerts = Alerts ({ $pending } to decide)
infer-alert-line = #{ $id } { $camera }: { $what }
infer-confirmed = confirmed
infer-dismissed = dismissed
