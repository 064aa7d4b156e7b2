# TwinCity Studio: the "video" window's messages in English (French twins in ../fr/video.ftl).

## FFmpeg's tools

video-tool-not-found = `{ $tool }` was not found, so videos cannot be played: install FFmpeg (Debian/Ubuntu: `sudo apt-get install ffmpeg`; `bash scripts/setup.sh` does it), or extract frames (`ffmpeg -i clip.mp4 frames/%05d.png`) and load them as images
video-tool-cannot-run = cannot run `{ $tool }`: { $error }

## Opening a video

video-probe-not-json = { $file }: ffprobe's answer is not JSON: { $error }
video-no-stream = { $file }: the file has no video stream (is it a video?)
video-no-usable-size = { $file }: the video stream has no usable size ({ $size })
video-no-such-file = { $file }: no such file
video-unreadable = { $file }: not a video FFmpeg can read
video-unreadable-why = { $file }: not a video FFmpeg can read ({ $why })
video-reader-failed = cannot start the video reader: { $error }

## Decoding

video-read-failed = { $file }: reading the decoded video failed: { $error }
video-decode-failed = { $file }: FFmpeg could not decode the video: { $error }
video-decode-stopped = { $file }: FFmpeg could not decode the video: it stopped with an error
video-no-frames = { $file }: the video has no frames
