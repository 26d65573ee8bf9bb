#!/bin/sh
# HTTPS: an untrusted certificate fails clearly; --cacert and --insecure.
. "$top_srcdir/tests/lib.sh"
command -v openssl >/dev/null || { echo "Bail out! openssl is needed (apt-get install openssl)"; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1" -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null ||
	{ echo "Bail out! openssl could not make a certificate"; exit 1; }
start_server --tls-cert "$T/cert.pem" --tls-key "$T/key.pem"
export OPENAI_BASE_URL="https://127.0.0.1:$PORT/v1"

case_begin "an untrusted certificate: one clear line, exit 3, nothing retried"
run_squint --retries 2 -p "secure?"
expect_rc 3
expect_err_contains "TLS"
expect_err_contains "--cacert"
expect_err_lines 1
case_end

case_begin "--cacert trusts the server's certificate"
run_squint --cacert "$T/cert.pem" -p "secure?"
expect_rc 0
expect_out_equals 'You asked: "secure?". Images: 0.'
case_end

case_begin "--insecure skips verification"
run_squint --insecure -p "secure?"
expect_rc 0
expect_out_contains 'You asked: "secure?"'
case_end

case_begin "cacert from the config file, relative to its directory"
mkdir -p "$XDG_CONFIG_HOME/squint"
cp "$T/cert.pem" "$XDG_CONFIG_HOME/squint/ca.pem"
printf '[defaults]\ncacert = ca.pem\n' >"$XDG_CONFIG_HOME/squint/config"
run_squint -p "secure?"
expect_rc 0
rm "$XDG_CONFIG_HOME/squint/config"
case_end

finish
