mkdir -p links/d
echo target >links/file
ln -s file links/rel-link; ln -s /etc/passwd links/abs-link; ln -s d links/dir-link; ln -s missing links/dangling
ln -s links/file to-file
