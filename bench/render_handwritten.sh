#!/usr/bin/env bash
# The hand-written reference of bench/render.py: what a person fluent in ffmpeg types to render the benchmark's
# sample project (built by cagette.video.sample with 1920x1080 media, 5.5 s per shot), with the settings of
# cagette's web-16x9 preset given by bench/render.py (x264 preset, CRF, AAC bit rate), yuv420p BT.709, 48 kHz,
# +faststart, 30 fps.
#
# usage: render_handwritten.sh FFMPEG PROJECT CAPTIONS.srt OUT.mp4 FONT.ttf X264_PRESET CRF AUDIO_BITRATE
#
# Layout (seconds): title card 0–3; five scenes of two 5.5 s shots, cross-faded 0.4 s; end card 4 s → 59.6 s.
set -euo pipefail
FF="$1"; P="$2"; SRT="$3"; OUT="$4"; FONT="$5"; X264="$6"; CRF="$7"; ABR="$8"
TXT="$(mktemp -d)"
trap 'rm -rf "$TXT"' EXIT
printf "Changer d'adresse en ligne\nMairie de Villeneuve" > "$TXT/title.txt"
printf "Étape 3" > "$TXT/step3.txt"
printf "Camille Martin\nMairie de Villeneuve\nMusique : accords synthétiques, CC0\nLicence : CC-BY-SA-4.0" > "$TXT/end.txt"
printf "Camille Martin, agente d'accueil" > "$TXT/lower.txt"
cd "$P"

FIT="scale=1920:1080:force_original_aspect_ratio=decrease,pad=1920:1080:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=30,format=yuv420p,settb=1/30,setpts=N"
KB="scale=2152:1210:force_original_aspect_ratio=increase,crop=2152:1210,crop=1920:1080:x='232*t/5.5':y='130*t/5.5/2',setsar=1,format=yuv420p,settb=1/30,setpts=N"
CARD="drawtext=fontfile=$FONT:fontsize=98:fontcolor=white:line_spacing=32:text_align=C:x=(w-text_w)/2:y=(h-text_h)/2"

"$FF" -nostdin -y -v error \
  -f lavfi -i "color=c=0x1f2a44:s=1920x1080:r=30:d=3" \
  -ss 0.5 -t 5.5 -i rushes/shot01.mp4 \
  -loop 1 -framerate 30 -t 5.5 -i rushes/shot02.jpg \
  -framerate 8 -i frames/le-formulaire/%04d.png \
  -ss 0.5 -t 5.5 -i rushes/shot04.mp4 \
  -f lavfi -i "color=c=0x1f2a44:s=1920x1080:r=30:d=5.5" \
  -ss 0.5 -t 5.5 -i rushes/shot06.mp4 \
  -loop 1 -framerate 30 -t 5.5 -i rushes/shot07.jpg \
  -framerate 8 -i frames/l-envoi/%04d.png \
  -ss 0.5 -t 5.5 -i rushes/shot09.mp4 \
  -loop 1 -framerate 30 -t 5.5 -i rushes/shot10.jpg \
  -f lavfi -i "color=c=0x1f2a44:s=1920x1080:r=30:d=4" \
  -i rushes/logo.png \
  -i audio/voice-accueil.wav -i audio/voice-le-formulaire.wav -i audio/voice-les-pieces.wav \
  -i audio/voice-l-envoi.wav -i audio/voice-conclusion.wav \
  -stream_loop -1 -i audio/music.wav \
  -filter_complex "
[0:v]$CARD:textfile=$TXT/title.txt,format=yuv420p,settb=1/30,setpts=N[t0];
[1:v]$FIT,drawtext=fontfile=$FONT:textfile=$TXT/lower.txt:fontsize=54:fontcolor=white:box=1:boxcolor=0x1f2a44@0.85:boxborderw=21:x=96:y=648:enable='lt(t,3.5)'[s1a];
[2:v]$KB[s1b];
[3:v]$FIT,trim=duration=5.5[s2a];
[4:v]$FIT[s2b];
[5:v]drawtext=fontfile=$FONT:textfile=$TXT/step3.txt:fontsize=98:fontcolor=white:x=(w-text_w)/2:y=(h-text_h)/2,format=yuv420p,settb=1/30,setpts=N[s3a];
[6:v]$FIT[s3b];
[7:v]$KB[s4a];
[8:v]$FIT,trim=duration=5.5[s4b];
[9:v]$FIT[s5a];
[10:v]$KB[s5b];
[11:v]$CARD:textfile=$TXT/end.txt,format=yuv420p,settb=1/30,setpts=N[t1];
[s1a][s1b]concat=n=2:v=1:a=0,settb=1/30[g1];
[s2a][s2b]concat=n=2:v=1:a=0,settb=1/30[g2];
[s3a][s3b]concat=n=2:v=1:a=0,settb=1/30[g3];
[s4a][s4b]concat=n=2:v=1:a=0,settb=1/30[g4];
[s5a][s5b]concat=n=2:v=1:a=0,settb=1/30[g5];
[t0][g1]xfade=transition=fade:duration=0.4:offset=2.6[x1];
[x1][g2]xfade=transition=fade:duration=0.4:offset=13.2[x2];
[x2][g3]xfade=transition=fade:duration=0.4:offset=23.8[x3];
[x3][g4]xfade=transition=fade:duration=0.4:offset=34.4[x4];
[x4][g5]xfade=transition=fade:duration=0.4:offset=45.0[x5];
[x5][t1]xfade=transition=fade:duration=0.4:offset=55.6[x6];
[12:v]scale=-2:108[logo];
[x6]subtitles=$SRT[subs];
[subs][logo]overlay=W-w-36:36,fade=t=in:st=0:d=0.5,fade=t=out:st=59.1:d=0.5,format=yuv420p[vout];
[1:a]aresample=48000,volume=-12dB,adelay=2600:all=1[c1];
[4:a]aresample=48000,volume=-12dB,adelay=18700:all=1[c4];
[6:a]aresample=48000,volume=-12dB,adelay=29300:all=1[c6];
[9:a]aresample=48000,volume=-12dB,adelay=45000:all=1[c9];
[13:a]aresample=48000,adelay=2600:all=1[v1];
[14:a]aresample=48000,adelay=13200:all=1[v2];
[15:a]aresample=48000,adelay=23800:all=1[v3];
[16:a]aresample=48000,adelay=34400:all=1[v4];
[17:a]aresample=48000,adelay=45000:all=1[v5];
[v1][v2][v3][v4][v5]amix=inputs=5:normalize=0,asplit[voice][key];
[18:a]aresample=48000,atrim=0:59.6,volume=-16dB[music];
[key]apad[keyp];
[music][keyp]sidechaincompress=threshold=0.015:ratio=9.33:attack=30:release=500[ducked];
[c1][c4][c6][c9][voice][ducked]amix=inputs=6:normalize=0:duration=longest,loudnorm=I=-16:TP=-1.5:LRA=11,aresample=48000,apad[aout]
" \
  -map "[vout]" -map "[aout]" -t 59.6 -r 30 \
  -c:v libx264 -preset "$X264" -crf "$CRF" -pix_fmt yuv420p -colorspace bt709 -color_primaries bt709 \
  -color_trc bt709 -color_range tv -c:a aac -b:a "$ABR" -ar 48000 -movflags +faststart "$OUT"
