#!/bin/sh
# Regenerate the image fixtures of tests/unit/img (run from this directory).
# Needs ImageMagick 6 (convert-im6.q16: plain `convert` may be a stand-in)
# and cwebp.  The files are committed; this records how they were made.
#
# Most are 32×24 "quadrant" pictures, upright: red top left, green top
# right, blue bottom left, white bottom right; the tests check the corners.
set -eu
C=${CONVERT:-convert-im6.q16}
# No time stamps in PNGs, so that rerunning this changes nothing.
PNGOPT="-define png:exclude-chunks=date,time"

$C -size 16x12 xc:red xc:lime +append \( -size 16x12 xc:blue xc:white +append \) -append +repage \
	-depth 8 $PNGOPT PNG24:quad-32x24.png
$C -size 16x24 xc:red xc:'rgba(0,0,255,0.5)' +append +repage $PNGOPT PNG32:rgba-32x24.png
$C -size 16x24 xc:'gray(64)' xc:'gray(200)' +append +repage -depth 8 $PNGOPT -define png:color-type=0 gray-32x24.png
$C quad-32x24.png $PNGOPT PNG8:palette-32x24.png
$C quad-32x24.png -depth 16 $PNGOPT PNG48:deep16-32x24.png

$C quad-32x24.png -quality 95 quad-32x24.jpg
$C quad-32x24.png -colorspace Gray -quality 95 gray-32x24.jpg
$C quad-32x24.png -colorspace CMYK -quality 95 cmyk-32x24.jpg
# Mid tones in every ink (the quadrants' pure colours look the same whether
# or not the inks are converted).
$C -size 48x32 gradient:'rgb(200,60,30)'-'rgb(40,120,210)' -colorspace CMYK -quality 95 cmyk-gradient-48x32.jpg

# EXIF orientation: IM 6 writes no Exif block, so one is put right after
# SOI by hand: "Exif\0\0", a TIFF header, one IFD with tag 0x0112.
# Orientation 6 (stored turned 90° counter-clockwise), little-endian:
$C quad-32x24.png -rotate -90 -quality 95 tmp.jpg
{
	head -c 2 tmp.jpg
	printf '\377\341\000\042Exif\000\000II\052\000\010\000\000\000\001\000\022\001\003\000\001\000\000\000\006\000\000\000\000\000\000\000'
	tail -c +3 tmp.jpg
} >orient6-24x32.jpg
# Orientation 3 (stored upside down), big-endian:
$C quad-32x24.png -rotate 180 -quality 95 tmp.jpg
{
	head -c 2 tmp.jpg
	printf '\377\341\000\042Exif\000\000MM\000\052\000\000\000\010\000\001\001\022\000\003\000\000\000\001\000\003\000\000\000\000\000\000'
	tail -c +3 tmp.jpg
} >orient3-32x24.jpg
rm -f tmp.jpg

# GIF: left half red, right half the transparent index; an interlaced
# quadrant picture; a 10×10 red frame at +10+0 on a 20×10 screen.
$C -size 10x10 xc:red -size 10x10 xc:none +append trans-20x10.gif
$C quad-32x24.png -interlace GIF interlaced-32x24.gif
$C -size 10x10 xc:red -repage 20x10+10+0 offset-20x10.gif

cwebp -quiet -q 90 quad-32x24.png -o lossy-32x24.webp
cwebp -quiet -lossless rgba-32x24.png -o lossless-32x24.webp
