mkdir -p src/inner && echo one >src/one && echo two >src/inner/two && chmod 600 src/inner/two
tar --owner=5 --group=6 -czf archive.tar.gz -C src one inner && tar --owner=0 --group=0 -cf archive.tar -C src inner && rm -rf src
