# TwinCity Studio: the "timeline" window's messages in English (French twins in ../fr/timeline.ftl).

## Header

timeline-not-saved = (not saved)
timeline-unsaved = unsaved
timeline-play = Play
timeline-step = Step { $step } s
timeline-loop = Loop
timeline-loop-tip = Shift-drag on the ruler to choose the range
timeline-to = to
timeline-close = Close

## Tracks

timeline-no-events = No events: add one on the right
timeline-to-the-end = to the end
timeline-bar-start = { $kind } { $id }: { $start } s
timeline-bar-end = end
timeline-bar-hint = Drag to move, drag the right edge to resize, click to edit
timeline-kind-dumping = dumping
timeline-kind-collapse = collapse
timeline-kind-gathering = gathering
timeline-kind-dispersal = dispersal
timeline-kind-vehicle = vehicle

## Numbers drawn from the seed

timeline-draw-tip = Draw it from the seed between two values
timeline-fixed-tip = A fixed value
timeline-one-of = one of { $values }
timeline-list-separator = {", "}

## Places

timeline-pick = Pick
timeline-pick-tip = Then click the place in the 3D view (Esc cancels)
timeline-from = from
timeline-spot = spot
timeline-towards = towards
timeline-point-at = at
timeline-leave-to = leave_to

## Vehicles

timeline-vehicle = Vehicle
timeline-vehicle-car = Car
timeline-vehicle-van = Van
timeline-vehicle-truck = Truck
timeline-vehicle-bicycle = Bicycle
timeline-body-tip = The vehicle's body: its 3D model (docs/scenarios.md lists them)
timeline-make = make
timeline-model = model
timeline-plate = Plate

## Selected event

timeline-id = Id
timeline-drawn = With seed { $seed }: starts { $start } s, ends { $end }; { $drawn }
timeline-at-the-end = at the end
timeline-all-events = All events
timeline-delete = Delete
timeline-starts = Starts
timeline-start-at = at a time
timeline-start-after = after another starts
timeline-start-after-end = after another ends
timeline-at = At
timeline-event = Event
timeline-delay = Delay

## Incidents

timeline-drop-time = Dropping takes
timeline-walk-before = Walks before falling
timeline-bystanders-within = Bystanders within
timeline-share-stop = Share who stop
timeline-they-stay = They stay (0: to the end)
timeline-first-ring = First ring
timeline-people-within = People within
timeline-share-come = Share who come
timeline-radius = Radius
timeline-running-speed = Running speed
timeline-walking = walking
timeline-look-back = Look back for
timeline-speed = Speed
timeline-by = By
timeline-on-foot = on foot
timeline-by-van = van
timeline-leaves-to = Leaves to
timeline-elsewhere = elsewhere than it came from
timeline-objects = Objects
timeline-add-object = add…
timeline-object-bag = Bag
timeline-object-box = Box
timeline-object-mattress = Mattress
timeline-object-appliance = Appliance
timeline-object-tyre = Tyre
timeline-route = Route
timeline-corners-done = Done adding corners
timeline-corners-add = Add corners in the view
timeline-stops = Stops
timeline-parks = parks at a corner
timeline-at-corner = At corner
timeline-for = For

## Scenario

timeline-add = Add:
timeline-add-tip = At the current time; then set its places (Pick) and fields
timeline-add-dumping = Dumping
timeline-add-collapse = Collapse
timeline-add-gathering = Gathering
timeline-add-dispersal = Dispersal
timeline-add-vehicle = Vehicle
timeline-name = Name
timeline-seed = Seed
timeline-duration = Duration
timeline-time-of-day = Time of day
timeline-day-of-year = Day of year
timeline-rain = Rain
timeline-fog = Fog
timeline-visibility = Visibility
timeline-street-lights = Street lights
timeline-lights-auto = auto
timeline-lights-on = on
timeline-lights-off = off
timeline-registry = Plate registry ({ $n })
timeline-body-unset = body?
timeline-body-unknown = unknown
timeline-registered-body-tip = The body of the registered make and model: what the cloned-plate check expects to see
timeline-add-plate = Add a plate
timeline-speed-cameras = Speed cameras ({ $n })
timeline-add-speed-camera = Add a speed camera
