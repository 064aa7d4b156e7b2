# TwinCity Studio: the editor's messages in English.
# Every message here has its French twin in ../fr/ (the same file name) (the tests check it); see docs/tours.md.

app-name = TwinCity Studio
lang-fr = Français
lang-en = English

## Menu bar

menu-file = File
menu-new = New (empty)
menu-new-demo = New from demo district
menu-open = Open...
menu-save = Save
menu-save-as = Save As...
menu-export = Export dataset...
menu-import = Import glTF...
menu-quit = Quit
menu-edit = Edit
menu-undo = Undo
menu-redo = Redo
menu-add-camera = Add camera at view focus
menu-delete-camera = Delete selected camera
menu-view = View
menu-frustums = Camera frustums
menu-previews = Camera previews
menu-inference = Model inference
menu-plate-check = Plate check
menu-fly = Fly mode (F)
menu-fast-moves = Smooth moves on slow machines
menu-fast-moves-hint = While the view moves and frames come slowly, draw it without shadows or anti-aliasing; both return once it stops.
menu-frame-selection = Frame selection
menu-frame-all = Frame all
menu-reset-view = Reset view
menu-presentation = Presentation
menu-tour-editor = Tour editor
menu-present = Present the tour
menu-present-needs-tour = Open or record a tour first (Tour editor)
menu-language = Language
menu-help = Help
menu-keys = Keyboard and mouse
menu-about = About TwinCity Studio

## Status bar and view

status-fps = { $fps } FPS
status-triangles = { $n ->
    [one] { $shown } triangle
   *[other] { $shown } triangles
}
status-meshes = { $n ->
    [one] { $n } mesh
   *[other] { $n } meshes
}
status-cameras = { $n ->
    [one] { $n } camera
   *[other] { $n } cameras
}
status-fly-speed = fly { $speed } m/s
view-fly-hint = FLY MODE - drag to look, W A S D / Q E to move, Shift faster, F to leave

## Dialogs

dialog-ok = OK
dialog-cancel = Cancel
dialog-filter-project = TwinCity project
dialog-filter-crowd = Crowd scenario
dialog-filter-scenario = Scenario
prompt-file = File
prompt-browse = Browse...
prompt-open-project = Open project
prompt-open = Open
prompt-save-project = Save project as
prompt-save = Save
prompt-import = Import glTF / GLB city mesh
prompt-import-button = Import
prompt-load-crowd = Load crowd scenario
prompt-load = Load
prompt-save-crowd = Save crowd scenario as
prompt-load-scenario = Load scenario
prompt-save-scenario = Save scenario as
prompt-z-up = The file is Z-up (rotate it to glTF's Y-up)
prompt-empty = Type a path or press Browse
unsaved-title = Unsaved changes
unsaved-text = "{ $name }" has changes that are not saved.
unsaved-discard = Discard changes
problem-title = Problem
keys-title = Keyboard and mouse
about-title = About TwinCity Studio
about-what = An open-source editor for city digital twins: virtual CCTV cameras, simulated crowds and scripted incidents, rendered into annotated, privacy-safe training data.
about-privacy = Privacy is an invariant: no face recognition, no tracking of individuals; faces and plates are blurred in everything the product exports.
about-licence = Licence: MIT OR Apache-2.0. Built on Bevy and egui.

## Keyboard and mouse

key-left-drag = Left drag
key-left-drag-does = Orbit around the focus (look around in fly mode)
key-right-drag = Right / middle drag
key-right-drag-does = Pan
key-wheel = Wheel
key-wheel-does = Zoom (fly speed in fly mode)
key-left-click = Left click
key-left-click-does = Select a building or camera
key-f = F
key-f-does = Toggle fly mode
key-wasd = W A S D
key-wasd-does = Fly forward / left / back / right
key-qe = Q / E
key-qe-does = Fly down / up
key-shift = Shift
key-shift-does = Fly four times faster
key-z = Z
key-z-does = Frame the selection
key-g = G
key-g-does = Move the selected camera with the pointer (click: keep; Esc, right click: cancel)
key-r = R
key-r-does = Aim the selected camera at the pointer (click: keep; Esc, right click: cancel)
key-home = Home
key-home-does = Frame everything in the scene
key-delete = Delete
key-delete-does = Delete the selected camera
key-new-open = Ctrl+N / Ctrl+O
key-new-open-does = New / open project
key-save = Ctrl+S / Ctrl+Shift+S
key-save-does = Save / save as
key-import = Ctrl+I
key-import-does = Import a glTF/GLB city mesh
key-undo = Ctrl+Z / Ctrl+Y
key-undo-does = Undo / redo (Ctrl+Shift+Z also redoes)
key-quit = Ctrl+Q
key-quit-does = Quit
key-f5 = F5
key-f5-does = Present the tour (right arrow: next, left arrow: back, P: pause, Esc: leave)

## Cameras

camera-default-name = Camera { $n }
place-failed = Cannot place a camera: { $why }

## Scene panel

scene-heading = Scene
scene-city-meshes = City meshes
scene-demo-district = Demo district
scene-buildings = { $n ->
    [one] { $n } building
   *[other] { $n } buildings
}
scene-import-loading = loading
scene-import-loaded = loaded
scene-remove-import = Remove from the project
scene-not-loaded = Not loaded: { $why }
scene-import = Import glTF...
scene-cameras = Cameras ({ $n })
scene-add-camera = Add camera
scene-add-camera-tip = At the view's focus, 6 m up
scene-place = Place on the city
scene-place-tip = Click a wall, a roof or the ground in the view; drag to aim (Esc cancels)
scene-mount-height = Mount height
scene-scenario = Scenario
scene-scenario-name = { $name } ({ $n ->
    [one] { $n } event
   *[other] { $n } events
})
scene-world = { $time } s: { $people } people, { $down } down, { $objects } objects, { $vehicles } vehicles; sun { $sun }°, lights { $lights }
scene-lights-on = on
scene-lights-off = off
scene-scenario-none = Incidents on a timeline: dumping, a collapse, gatherings, vehicles.
scene-load-scenario = Load scenario...
scene-load-scenario-tip = A *.scenario.ron file (see docs/scenarios.md)
scene-export-tip = Render every camera into annotated, privacy-safe images (see docs/dataset-format.md)

## Camera previews

previews-title = Camera previews
previews-live = Live
previews-live-tip = Previews render the scene: the thumbnails in turn, one per frame; the enlarged one every frame
previews-stop-looking = Stop looking through { $camera } (Esc)
previews-no-cameras = No cameras yet: Edit > Add camera.
previews-camera-size = { $width } × { $height }, { $fov }°
previews-look-through = Look through
previews-enlarge = Click to enlarge
previews-enlarged = (enlarged)
previews-starting = starting...
previews-off = previews are off
previews-window = { $camera } (preview)

## Presentation mode

present-step = { $step } / { $steps }
present-step-paused = { $step } / { $steps }, paused

present-keys = Right arrow, Space or click: next   Left arrow: back   P: pause   Esc: leave
present-keys-paused = Paused (P to go on)   Right arrow: next   Left arrow: back   Esc: leave
present-alert-title = The model raises an alert
present-alert-waits = The model never acts on its own: a person decides.
present-confirm = Confirm
present-dismiss = Dismiss
present-confirmed = Confirmed by a person
present-dismissed = Dismissed by a person
present-count = Model: { $model ->
    [one] { $model } person
   *[other] { $model } people
}   ·   truth: { $truth }
present-model-starting = The model is starting...
present-privacy-note = Left: what the camera captures. Right: what TwinCity keeps — faces blurred.
present-privacy-captured = As captured
present-privacy-kept = As kept (blurred)
present-privacy-faces = { $n ->
    [one] { $n } face blurred
   *[other] { $n } faces blurred
}
present-project-unsaved = The tour needs the project { $file }, but the open project has unsaved changes: save them first.

## Tour editor

tour-window = Tour
tour-none = No tour yet: record the view as the first step, or open a tour file.
tour-new = New tour from this view
tour-file = File
tour-open = Open
tour-save = Save
tour-saved = Saved { $file }
tour-title = Tour title
tour-steps = { $n ->
    [one] { $n } step
   *[other] { $n } steps
}
tour-up = Up
tour-down = Down
tour-remove = Remove
tour-record = Record the view as a step
tour-record-tip = The view (or the camera looked through), the overlays shown, the enlarged preview and its model, and the scenario's time
tour-update = Update the step from the view
tour-step-title = Step title
tour-step-text = Text
tour-flight = Flight
tour-advance = Go on after
tour-alert = An alert to decide
tour-alert-text = The alert
tour-show-frustums = frustums
tour-show-coverage = DORI coverage
tour-show-masks = privacy masks
tour-show-heatmap = density heatmap
tour-show-preview = { $camera }'s picture
tour-show-model = the model's boxes and count
tour-shows = Shows: { $what }
tour-shows-nothing = the city only
tour-present-from = Present from this step

## Properties panel

prop-heading = Properties
prop-project = Project
prop-name = Name
prop-hint = Click a building or a camera in the view or in the scene list to see its properties.
prop-use = Use
prop-height = Height
prop-footprint = Footprint
prop-centre = Centre (E, N)
prop-frame = Frame (Z)
prop-file = File
prop-material = Material
prop-triangles = Triangles
prop-size = Size
prop-metadata = Metadata (glTF extras)
prop-no-metadata = none in the file
prop-georeference = Georeference
prop-crs = CRS (EPSG)
prop-placement = Placement
prop-lens = Lens
prop-image = Image
prop-dori = DORI reach (IEC 62676-4)
prop-delete = Delete
prop-east = East (x)
prop-north = North (-z)
prop-height-y = Height (y)
prop-pan = Pan (bearing)
prop-tilt = Tilt (down)
prop-roll = Roll
prop-sensor-width = Sensor width
prop-sensor-height = Sensor height
prop-focal = Focal length
prop-hfov = Horizontal FOV
prop-vfov = Vertical FOV
prop-wide-end = Wide end
prop-tele-end = Tele end
prop-resolution = Resolution
prop-frame-rate = Frame rate
prop-class = Class
prop-up-to = up to
prop-wide = wide
prop-tele = tele
prop-height-storeys = { $height } m ({ $n ->
    [one] { $n } storey
   *[other] { $n } storeys
})
prop-footprint-size = { $width } m × { $depth } m ({ $area } m²)
prop-file-node = { $file } (node { $node })
prop-part-size = { $width } × { $depth } m, { $height } m high
prop-origin-ecef-x = Origin ECEF X
prop-origin-ecef-y = Origin ECEF Y
prop-origin-ecef-z = Origin ECEF Z
prop-origin-east = Origin east (x)
prop-origin-north = Origin north (y)
prop-origin-height = Origin height (z)
prop-crs-example = e.g. 2154
prop-crs-tip = The projected CRS of the origin (2154 Lambert-93, 28992 RD New, 2056 LV95...)
prop-exports = Exports: { $how }
prop-georef-wgs84 = WGS84 longitude/latitude (from { $crs })
prop-georef-wgs84-ecef = WGS84 longitude/latitude (from { $crs }, Earth-centred)
prop-georef-local = local metres (east, north) from the project origin ({ $x }, { $y }); { $why }
prop-georef-no-origin = the project has no origin
prop-georef-no-crs = no CRS is known: set the origin's crs in the project
prop-georef-not-epsg = the CRS `{ $crs }` is not an EPSG code
prop-georef-geographic = { $crs } is geographic, not projected
prop-georef-unknown-epsg = { $crs } is not in the bundled EPSG definitions
prop-id = Id { $id }
prop-zoom = Varifocal / PTZ zoom
prop-zoom-tip = A zoom lens: set its focal range, then zoom within it
prop-preset = Preset
prop-custom = Custom
prop-in-crs = In { $crs }
prop-source-crs = the source CRS
prop-centre-crs-tip = The camera's optical centre in the project's coordinate reference system
prop-zoom-slider = zoom

## DORI coverage

coverage-heading = DORI coverage
coverage-show = Show on the ground
coverage-show-tip = Pixel density on a standing person's face, with occlusion by the city (IEC 62676-4)
coverage-all-cameras = All cameras (best)
coverage-camera = Camera
coverage-overlap = Overlap (2+ cameras)
coverage-aoi-blind = Area of interest blind
coverage-aoi-blind-share = { $blind } of { $aoi } m² ({ $share } %)
coverage-area = { $area } m²
coverage-computed = computed in { $seconds } s
coverage-failed = cannot compute: { $why }
coverage-stopped = the computation stopped unexpectedly
coverage-no-cameras = no cameras: add one (Edit > Add camera)
coverage-computing = computing...
coverage-settings = Settings, area of interest, privacy masks
coverage-cell = Cell
coverage-target-height = Target height
coverage-target-height-tip = Height of the point looked at on a standing person (1.6 m: the face)
coverage-aoi = Area of interest (plan, east/north)
coverage-aoi-none = none
coverage-aoi-square = Set 40 m × 40 m at the view focus
coverage-aoi-clear = Clear
coverage-from = From
coverage-to = To
coverage-remove-corner = Remove this corner
coverage-draw = Draw in the view…
coverage-draw-tip = Click the corners of the area of interest on the city
coverage-drawing = Drawing: { $n ->
    [one] { $n } corner
   *[other] { $n } corners
}. Click corners in the view; click the first one or press Enter to close; Backspace removes the last; Esc cancels.
coverage-close-outline = Close outline
coverage-masks = Privacy masks (world boxes: x east, y up, z south)
coverage-add-mask = Add a mask at the view focus
coverage-add-mask-tip = A 4 m × 3 m zone, 0.2 m thick, 2 m up; move it onto the windows to hide
coverage-mask-name = Mask { $n }
dori-detection = Detection
dori-observation = Observation
dori-recognition = Recognition
dori-identification = Identification
