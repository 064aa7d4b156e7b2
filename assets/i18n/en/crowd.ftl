# TwinCity Studio: the "crowd" window's messages in English (French twins in ../fr/crowd.ftl).

## Crowd section

crowd-heading = Crowd
crowd-none-loaded = No crowd loaded.
crowd-load = Load crowd scenario...
crowd-new-demo = New on the demo district
crowd-new-on = New on { $name }
crowd-new-on-tip = Walk the imported city: parts named or tagged "walkable", else its ground surfaces, minus building footprints (docs/crowd-scenarios.md)
crowd-new-area = New on a 60 m x 40 m area
crowd-new-area-tip = A rectangle centred on the origin; edit its outline in the file for other shapes

## Playback

crowd-not-saved = not saved yet
crowd-stopped = Stopped until the scenario is fixed (see below).
crowd-clock = t = { $t } s   walking { $walking }   arrived { $arrived }
crowd-pause = Pause
crowd-play = Play
crowd-step = Step { $step } s
crowd-restart = Restart
crowd-speed = x real time
crowd-scrub = s (scrub)
crowd-heatmap = Density heatmap (persons/m²)
crowd-fruin = Fruin level of service:

## Walkable area

crowd-walkable-polygon = Walkable: a drawn polygon ({ $n_corners ->
    [one] { $corners } corner
   *[other] { $corners } corners
}, { $n_obstacles ->
    [one] { $obstacles } obstacle
   *[other] { $obstacles } obstacles
})
crowd-walkable-demo = Walkable: the demo district's pavements, crossings and square
crowd-walkable-mesh = Walkable: { $name }, { $area } m2: { $note }
crowd-walkable-error = Walkable: { $error }

## Drawing tools

crowd-edit = Edit
crowd-draw = Draw:
crowd-draw-area-tip = Drag on the ground to draw the area
crowd-draw-person-tip = Click on the ground to place a named person
crowd-draw-event-tip = Click on the ground: the event starts at the current time
crowd-draw-help = Left button draws; right-drag pans; Esc stops drawing.
crowd-tool-spawn = Spawn area
crowd-tool-exit = Exit
crowd-tool-waypoint = Waypoint
crowd-tool-person = Person
crowd-tool-gather = Gather point
crowd-tool-flee = Flee point

## Scenario fields

crowd-name = Name
crowd-delete = Delete
crowd-remove = Remove
crowd-nearest-exit = nearest
crowd-spawns = Spawn areas ({ $n })
crowd-spawn-count = People
crowd-spawn-rate = Rate
crowd-spawn-rate-tip = 0: everyone at the start time
crowd-spawn-start = Start
crowd-spawn-groups = Groups of
crowd-range-to = to
crowd-exit = Exit
crowd-exits = Exits ({ $n })
crowd-waypoints = Waypoints ({ $n })
crowd-wait-none = Pass through
crowd-wait-idle = Wait (idle)
crowd-wait-queue = Queue
crowd-idle-for = for
crowd-queue-head = head
crowd-queue-towards = line towards
crowd-queue-service = service
crowd-queue-service-unit = s per person
crowd-people = People ({ $n })
crowd-person-at = at
crowd-person-start = Appears at
crowd-person-speed = Speed
crowd-person-speed-tip = 0: drawn like everyone else's

## Events

crowd-events = Events ({ $n })
crowd-event-title = { $action } at { $t } s
crowd-action-gather = Gather
crowd-action-flee = Flee
crowd-action-walk-to = Walk to
crowd-action-collapse = Collapse
crowd-event-at = At
crowd-add-walk = Add: a person walks to a spot
crowd-add-walk-tip = Edit the person, place and time above
crowd-gather-around = around
crowd-flee-from = from
crowd-flee-radius = Radius
crowd-flee-speed = Speed x
crowd-flee-stay = Then stand
crowd-walk-to-point = to
crowd-stay = Stay
crowd-collapse-within = Bystanders within
crowd-share-stop = Share who stop
crowd-collapse-stay = They stay
crowd-gather-radius = First ring
crowd-gather-within = People within
crowd-gather-stay-tip = 0: until the end

## Run settings

crowd-run-settings = Run settings
crowd-duration = Duration
crowd-seed = Seed
crowd-output-fps = Trajectory fps
crowd-speed-mean = Mean speed
crowd-speed-sd = Speed spread
crowd-body-radius = Body radius
crowd-time-gap = Time gap
