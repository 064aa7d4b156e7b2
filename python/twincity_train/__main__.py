import sys

argv = sys.argv[1:]
task = "detect"
if argv[:1] == ["--task"] and len(argv) > 1:
    task, argv = argv[1], argv[2:]
if task == "classify":
    from .classify import main
elif task == "detect":
    from .train import main
else:
    print(f"twincity train: --task {task}: unknown (detect or classify)", file=sys.stderr)
    sys.exit(2)

sys.exit(main(argv))
