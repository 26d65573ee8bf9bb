/* squint --export FILE [--format F] [--export-to OUT]: a session file as
 * the API's messages array, Markdown (with its images as files) or JSON. */
#ifndef SQUINT_SESSION_EXPORT_H
#define SQUINT_SESSION_EXPORT_H

/* Export the session file as format (NULL: "messages") to out (NULL:
 * standard output); problems are printed on stderr.  Returns an exit
 * status. */
int session_export_run(const char *file, const char *format, const char *out);

#endif
