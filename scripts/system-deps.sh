#!/usr/bin/env bash
# Install the Debian packages huodong needs when they are missing and we may (root with apt-get).
#   fonts    a CJK font and Pango, so PDF documents (WeasyPrint) render Chinese; gettext for the catalogues
#   browser  Debian's Chromium, for the browser tests
#   office   LibreOffice Writer, for the tests that open the Word documents; poppler-utils (pdftoppm), for the
#            tests that print the documents to PNG
set -u
want=()
for what in "$@"; do
  case "$what" in
    fonts)   fc-list :lang=zh 2>/dev/null | grep -q . || want+=(fonts-noto-cjk)
             ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || want+=(libpango-1.0-0 libpangoft2-1.0-0)
             command -v msgfmt >/dev/null 2>&1 || want+=(gettext) ;;
    browser) [ -x /usr/bin/chromium ] || want+=(chromium) ;;
    office)  command -v soffice >/dev/null 2>&1 || want+=(libreoffice-writer-nogui)
             command -v pdftoppm >/dev/null 2>&1 || want+=(poppler-utils) ;;
  esac
done
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: missing ${want[*]} (install them with your package manager)" >&2
  exit 0
fi
echo "system-deps: installing ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null 2>&1 || echo "system-deps: could not install ${want[*]}" >&2
exit 0
