/* squint --version.  Run-time versions where a library reports one, so the
 * line tells what is actually loaded; build-time ones (header macros, or
 * pkg-config's answer saved by configure) for the rest. */
#include <config.h>

#include "version.h"
#include "ui/curses/screen.h"

#include <curl/curl.h>
#include <gif_lib.h>
#include <jpeglib.h>
#include <json-c/json_c_version.h>
#include <png.h>
#include <unistring/version.h>
#include <webp/decode.h>
#include <zlib.h>

#include <stdio.h>
#include <string.h>

/* Write "name major.minor.patch" for a version packed as 0xMMmmpp, the way
 * libunistring and libwebp pack theirs. */
static void version_print_packed(FILE *out, const char *name, int v)
{
	fprintf(out, "%s %d.%d.%d\n", name, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
}

void version_print(FILE *out)
{
	curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	fprintf(out, "squint %s\n", PACKAGE_VERSION);
	fprintf(out, "libcurl %s (TLS: %s)\n", cv->version,
		cv->ssl_version ? cv->ssl_version : "none");
	fprintf(out, "json-c %s\n", json_c_version());
	fprintf(out, "ncursesw %s\n", screen_curses_version());
	fprintf(out, "md4c %s\n", SQUINT_MD4C_VERSION);
	fprintf(out, "libpng %s\n", png_get_libpng_ver(NULL));
	fprintf(out, "zlib %s\n", zlibVersion());
#ifdef LIBJPEG_TURBO_VERSION
	/* jconfig.h defines it unquoted, as 2.1.5. */
#define VERSION_STR2(x) #x
#define VERSION_STR(x) VERSION_STR2(x)
	fprintf(out, "libjpeg-turbo %s\n", VERSION_STR(LIBJPEG_TURBO_VERSION));
#else
	fprintf(out, "libjpeg %s\n", SQUINT_JPEG_VERSION);
#endif
	version_print_packed(out, "libwebp", WebPGetDecoderVersion());
	fprintf(out, "giflib %d.%d.%d\n", GIFLIB_MAJOR, GIFLIB_MINOR, GIFLIB_RELEASE);
	fprintf(out, "libsixel %s\n", SQUINT_SIXEL_VERSION);
	fprintf(out, "chafa %s\n", SQUINT_CHAFA_VERSION);
	fprintf(out, "inih %s\n", SQUINT_INIH_VERSION);
	version_print_packed(out, "libunistring", _libunistring_version);
}
