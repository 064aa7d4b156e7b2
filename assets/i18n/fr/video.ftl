# TwinCity Studio : les messages de la fenêtre « video » en français (jumeaux anglais dans ../en/video.ftl).

## Les outils de FFmpeg

video-tool-not-found = `{ $tool }` est introuvable, les vidéos ne peuvent donc pas être lues : installez FFmpeg (Debian/Ubuntu : `sudo apt-get install ffmpeg` ; `bash scripts/setup.sh` s'en charge), ou extrayez les images (`ffmpeg -i clip.mp4 frames/%05d.png`) et chargez-les comme images
video-tool-cannot-run = impossible de lancer `{ $tool }` : { $error }

## Ouverture d'une vidéo

video-probe-not-json = { $file } : la réponse de ffprobe n'est pas du JSON : { $error }
video-no-stream = { $file } : le fichier n'a pas de flux vidéo (est-ce bien une vidéo ?)
video-no-usable-size = { $file } : le flux vidéo n'a pas de taille utilisable ({ $size })
video-no-such-file = { $file } : fichier introuvable
video-unreadable = { $file } : ce n'est pas une vidéo que FFmpeg sait lire
video-unreadable-why = { $file } : ce n'est pas une vidéo que FFmpeg sait lire ({ $why })
video-reader-failed = impossible de démarrer le lecteur vidéo : { $error }

## Décodage

video-read-failed = { $file } : la lecture de la vidéo décodée a échoué : { $error }
video-decode-failed = { $file } : FFmpeg n'a pas pu décoder la vidéo : { $error }
video-decode-stopped = { $file } : FFmpeg n'a pas pu décoder la vidéo : il s'est arrêté sur une erreur
video-no-frames = { $file } : la vidéo ne contient aucune image
