# TwinCity Studio: the "train" window's messages in English (French twins in ../fr/train.ftl).

## Progress

train-phase-train = training
train-phase-eval = evaluating
train-phase-export = exporting the model
train-epoch = epoch { $epoch }/{ $epochs }
train-step = step { $step }/{ $steps }
train-loss = loss { $loss }
train-time-left = about { $time } left

## How it ended

train-no-program = cannot find this program: { $error }
train-cannot-start = cannot start the training: { $error }
train-no-card = twincity train ended without naming the model card it wrote
train-no-card-tail =
    twincity train ended without naming the model card it wrote:
    { $tail }
train-failed = twincity train failed ({ $status })
train-stopped = Training stopped. To go on from where it stopped: twincity { $args } --resume
