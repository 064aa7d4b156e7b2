# TwinCity Studio: the "export" window's messages in English (French twins in ../fr/export.ftl).

## Window

export-title = Export dataset
export-renders = Renders { $path }
export-save-scenario-first = save the scenario first: the export renders the saved file
export-save-project-first = save the project first (or load a scenario): the export renders saved files
export-randomisation = Domain randomisation from the scenario: { $what }

## Domain randomisation

export-rand-light = light and weather per frame
export-rand-looks = people's looks
export-rand-noise = noise { $range }
export-rand-motion-blur = motion blur { $range } px
export-rand-jpeg = JPEG quality { $range }
export-rand-scale = resolution { $scale }

## Form

export-folder = Folder
export-browse = Browse...
export-frames = Frames
export-per-second = per second
export-from = from
export-to-the-end = to the end
export-cameras = Cameras
export-size = Size
export-each-camera-resolution = each camera's resolution
export-image-format = Images
export-quality = quality
export-also = Also
export-masks = masks
export-depth = depth
export-density-maps = density maps
export-privacy = Privacy
export-blur = Blur faces and plates
export-why-sharp = Why must they stay sharp? (recorded in the manifest)
export-resume = Resume an interrupted export in this folder
export-need-folder = choose the dataset folder
export-need-reason = say in a few words why faces and plates must stay sharp (recorded in the manifest)

## Then train

export-then = Then
export-train = Train a model on it
export-train-tip = When the export is complete, fine-tune a detector on the dataset (`twincity train`); the model it writes opens in the Model inference window
export-train-from = from
export-choose-model = choose a model
export-bundled-yolox = YOLOX-nano (bundled)
export-train-for = for
export-epochs = epochs
export-model-goes-to = The model goes to { $folder }
export-choose-base = choose a model to train from (the bundled YOLOX-nano is missing)

## Progress and outcome

export-no-program = cannot find this program: { $error }
export-cannot-start = cannot start the export: { $error }
export-finished = { $shown } images written ({ $status })
export-status-complete = complete
export-status-partial = partial
export-stopped = the export stopped ({ $status }); the folder holds a valid partial dataset
export-cancelled = Cancelled. The images written form a valid partial dataset; tick "Resume" and export again to finish it.
export-not-trained = Not trained: the dataset is not complete (export it again with "Resume" to finish it).
export-starting-training = starting the training...
export-not-registered = the model could not be added to the list of trained models: { $error }
export-model-trained = Model trained: { $card }
export-report = Report: { $report }
export-listed = It is listed in the Model inference window.
export-open-inference = Open Model inference

## Buttons

export-stopping = Stopping...
export-stop-training = Stop training
export-cancel = Cancel
export-export = Export
